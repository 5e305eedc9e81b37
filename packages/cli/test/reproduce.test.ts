// `sempair reproduce`: presets are listed; a re-run skips finished runs and evaluations (here
// made by hand, so the test trains nothing), prints the SP vs AP table and writes results.json;
// a directory holding a different config is refused, not overwritten.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { jsonLines, sandbox, sempair } from './helpers/cli.js';

const box = await sandbox();

interface PlanRun {
  id: string;
  label: string;
  runDir: string;
  action: string;
  config: Record<string, unknown>;
  evaluations: Array<{ evaluator: string; options: Record<string, unknown>; action: string }>;
}

async function plan(runs: string): Promise<PlanRun[]> {
  const result = await sempair(['reproduce', 'quick', '--epochs', '1', '--dry-run', '--json', '--runs-dir', runs], { env: box.env, cwd: box.dir });
  if (result.code !== 0) throw new Error(result.stderr);
  return (jsonLines(result.stdout)[0] as { runs: PlanRun[] }).runs;
}

test('reproduce --list shows the quick preset', async (t) => {
  const result = await sempair(['reproduce', '--list', '--json'], { env: box.env });
  t.is(result.code, 0, result.stderr);
  const { presets } = JSON.parse(result.stdout) as { presets: Array<{ id: string; runs: string[] }> };
  t.deepEqual(presets.find((p) => p.id === 'quick')?.runs, ['SP', 'AP']);
});

test('reproduce skips finished runs and evaluations and prints the comparison', async (t) => {
  const runs = join(box.dir, 'runs');
  const first = await plan(runs);
  t.deepEqual(first.map((r) => [r.label, r.action]), [['SP', 'train'], ['AP', 'train']]);

  const top1: Record<string, number> = { SP: 62.5, AP: 57.25 };
  for (const run of first) {
    await mkdir(join(run.runDir, 'eval'), { recursive: true });
    await writeFile(join(run.runDir, 'config.json'), JSON.stringify(run.config));
    const now = new Date().toISOString();
    await writeFile(join(run.runDir, 'status.json'), JSON.stringify({ state: 'completed', epoch: 1, step: 15, totalSteps: 15, checkpoint: null, backend: 'cpu', startedAt: now, updatedAt: now, finalLoss: 5.1 }));
    for (const e of run.evaluations) {
      // The evaluation fills defaults from the run (here the image size); that is still a match.
      const options = { ...e.options, size: 32 };
      await writeFile(join(run.runDir, 'eval', `${e.evaluator}.json`), JSON.stringify({ evaluator: e.evaluator, options, metrics: { top1: top1[run.label], top5: 95 } }));
    }
  }
  const second = await plan(runs);
  t.deepEqual(second.map((r) => r.action), ['skip (finished)', 'skip (finished)']);
  t.true(second.every((r) => r.evaluations.every((e) => e.action === 'reuse')));

  const result = await sempair(['reproduce', 'quick', '--epochs', '1', '--runs-dir', runs], { env: box.env, cwd: box.dir });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /linear top-1/);
  t.regex(result.stdout, /SP\s+│\s+62\.50/);
  t.regex(result.stdout, /SP − AP\s+│\s+\+5\.25\s+│\s+\+0\.00/);
  const resultsFile = join(runs, 'reproduce-quick-e1', 'results.json');
  t.true(existsSync(resultsFile));
  const saved = JSON.parse(await readFile(resultsFile, 'utf8')) as { complete: boolean; comparison: { differences: { linear: { top1: number } } } };
  t.true(saved.complete);
  t.is(saved.comparison.differences.linear.top1, 5.25);
});

test('a run directory holding another config is refused with one line', async (t) => {
  const runs = join(box.dir, 'runs-mismatch');
  const [sp] = await plan(runs);
  await mkdir(sp!.runDir, { recursive: true });
  await writeFile(join(sp!.runDir, 'config.json'), JSON.stringify({ ...sp!.config, seed: 99 }));
  const result = await sempair(['reproduce', 'quick', '--epochs', '1', '--runs-dir', runs], { env: box.env, cwd: box.dir });
  t.is(result.code, 1);
  t.regex(result.stderr, /^Error: .*holds a run with a different config.* — delete that directory, or pass another --runs-dir\n$/);
});

test('an interrupted run is resumed; a changed evaluation option is evaluated again', async (t) => {
  const runs = join(box.dir, 'runs-resume');
  const [sp] = await plan(runs);
  await mkdir(join(sp!.runDir, 'eval'), { recursive: true });
  await writeFile(join(sp!.runDir, 'config.json'), JSON.stringify(sp!.config));
  const now = new Date().toISOString();
  await writeFile(join(sp!.runDir, 'status.json'), JSON.stringify({ state: 'aborted', epoch: 0, step: 3, totalSteps: 15, checkpoint: 'step-00000003', backend: 'wasm', startedAt: now, updatedAt: now }));
  const [resumed] = await plan(runs);
  t.is(resumed!.action, 'resume from step 3');
  t.is(resumed!.evaluations[0]!.action, 'run');

  await writeFile(join(sp!.runDir, 'status.json'), JSON.stringify({ state: 'completed', epoch: 1, step: 15, totalSteps: 15, checkpoint: 'step-00000015', backend: 'wasm', startedAt: now, updatedAt: now }));
  const e = sp!.evaluations[0]!;
  await writeFile(join(sp!.runDir, 'eval', `${e.evaluator}.json`), JSON.stringify({ evaluator: e.evaluator, options: { ...e.options, dataset: 'synthetic' }, metrics: { top1: 1 } }));
  const [changed] = await plan(runs);
  t.is(changed!.action, 'skip (finished)');
  t.is(changed!.evaluations[0]!.action, 'run', 'the preset asks for another downstream dataset than the one evaluated');
});

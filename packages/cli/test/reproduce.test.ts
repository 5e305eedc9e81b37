// `sempair reproduce`: presets are listed; a re-run skips finished runs and evaluations (here
// made by hand, so the test trains nothing), prints the SP vs AP table and writes results.json;
// a directory holding a different config is refused, not overwritten. On a tiny preset:
// --jobs 2 trains both runs at once in child processes with the results of --jobs 1; a killed
// child fails its run only; Ctrl-C reaches the children, which save checkpoints.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { BIN, jsonLines, sandbox, sempair, type CliResult } from './helpers/cli.js';

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
  t.deepEqual(presets.find((p) => p.id === 'quick')?.runs, ['SP', 'AP', 'random init']);
});

test('reproduce skips finished runs and evaluations and prints the comparison', async (t) => {
  const runs = join(box.dir, 'runs');
  const first = await plan(runs);
  t.deepEqual(first.map((r) => [r.label, r.action]), [['SP', 'train'], ['AP', 'train'], ['random init', 'none (random init)']]);

  const top1: Record<string, number> = { SP: 62.5, AP: 57.25, 'random init': 60 };
  for (const run of first) {
    await mkdir(join(run.runDir, 'eval'), { recursive: true });
    if (run.label === 'random init') {
      // The baseline trains nothing: its random-init result is all it leaves.
      for (const e of run.evaluations) {
        await writeFile(join(run.runDir, 'eval', `${e.evaluator}-random.json`), JSON.stringify({ evaluator: e.evaluator, options: { ...e.options, size: 32 }, randomInit: true, checkpoint: null, metrics: { top1: top1[run.label], top5: 90 } }));
      }
      continue;
    }
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
  t.deepEqual(second.map((r) => r.action), ['skip (finished)', 'skip (finished)', 'none (random init)']);
  t.true(second.every((r) => r.evaluations.every((e) => e.action === 'reuse')));

  const result = await sempair(['reproduce', 'quick', '--epochs', '1', '--runs-dir', runs], { env: box.env, cwd: box.dir });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /linear top-1/);
  t.regex(result.stdout, /SP\s+│\s+62\.50/);
  t.regex(result.stdout, /SP − AP\s+│\s+\+5\.25\s+│\s+\+0\.00/);
  t.regex(result.stdout, /random init\s+│\s+60\.00\s+│\s+90\.00/);
  t.regex(result.stdout, /Below random init at cpu scale: 1 of 4 pre-trained cells — AP \(linear top-1 57\.25 vs 60\.00\)\./);
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

// ---- --jobs: runs in child processes, on a preset small enough to train in seconds ----

interface Outcome {
  id: string;
  label: string;
  runDir: string;
  status: string;
  steps?: number;
  finalLoss?: number;
  evaluations: Record<string, { metrics: Record<string, number> }>;
  error?: string;
}

interface Results {
  complete: boolean;
  jobs: { jobs: number; requested: number | null; reason: string };
  runs: Outcome[];
  comparison: unknown;
  finishedAt?: string;
}

/** SP and AP of SimCLR on 80 tiny images, knn on 40: a few seconds per run. */
async function tinyPreset(name: string, epochs: { sp: number; ap: number }): Promise<string> {
  const shared = {
    method: 'simclr',
    methodOptions: { projHiddenDim: 32, projOutputDim: 16 },
    dataset: 'synthetic',
    datasetOptions: { perClass: 8, size: 16 },
    backbone: 'resnet18',
    backboneOptions: { width: 4, cifarStem: true },
    augmentation: { size: 16 },
    batchSize: 16,
    seed: 0,
  };
  const preset = {
    id: name,
    description: `tiny SP vs AP (${name})`,
    runs: [
      { id: 'sp', label: 'SP', config: { ...shared, pairs: 'semantic-labels', epochs: epochs.sp } },
      { id: 'ap', label: 'AP', config: { ...shared, pairs: 'augmented', epochs: epochs.ap } },
    ],
    evaluations: [{ id: 'knn', options: { k: 3, datasetOptions: 'perClass=4,size=16' } }],
    compare: { a: 'SP', b: 'AP' },
  };
  const file = join(box.dir, `${name}.json`);
  await writeFile(file, JSON.stringify(preset));
  return file;
}

async function results(runs: string, preset: string): Promise<Results> {
  return JSON.parse(await readFile(join(runs, `reproduce-${preset}`, 'results.json'), 'utf8')) as Results;
}

/**
 * Runs `sempair reproduce … --json` and calls `onLine` with each JSON line as it comes, with the
 * process (to interrupt it).
 */
function reproduceLive(args: string[], onLine: (line: Record<string, unknown>, parent: ReturnType<typeof spawn>) => void): Promise<CliResult & { lines: Array<Record<string, unknown>> }> {
  const parent = spawn(process.execPath, [BIN, 'reproduce', ...args, '--json'], {
    cwd: box.dir,
    env: { ...process.env, ...box.env, NODE_ENV: undefined, CI: 'true' },
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  const lines: Array<Record<string, unknown>> = [];
  parent.stderr.on('data', (d) => (stderr += d));
  parent.stdout.on('data', (d) => {
    stdout += d;
    pending += d;
    const complete = pending.split('\n');
    pending = complete.pop()!;
    for (const text of complete.filter((l) => l.trim())) {
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      onLine(line, parent);
    }
  });
  return new Promise((done) => parent.on('close', (code) => done({ code: code ?? 1, stdout, stderr, lines })));
}

test.serial('--jobs 2 trains both runs at once in child processes, with the results of --jobs 1', async (t) => {
  const preset = await tinyPreset('tiny', { sp: 2, ap: 2 });
  const parallelRuns = join(box.dir, 'runs-jobs2');
  const parallel = await sempair(['reproduce', '--preset-file', preset, '--runs-dir', parallelRuns, '--jobs', '2', '--json'], { cwd: box.dir, env: box.env });
  t.is(parallel.code, 0, parallel.stderr);
  const lines = jsonLines(parallel.stdout);
  t.like(lines[0], { type: 'jobs', jobs: 2, requested: 2 });
  const processes = lines.filter((l) => l.type === 'process');
  t.deepEqual(processes.map((l) => l.run).sort(), ['ap', 'sp']);
  t.not(processes[0]!.pid, processes[1]!.pid);
  t.false(processes.some((l) => l.pid === undefined));
  // Both trained at the same time: each run's training began before the other's ended.
  const at = (task: string) => lines.flatMap((l, i) => (l.type === 'progress' && l.task === task ? [i] : []));
  const sp = at('pretrain:sp');
  const ap = at('pretrain:ap');
  t.true(sp.length > 0 && ap.length > 0);
  t.true(sp[0]! < ap.at(-1)! && ap[0]! < sp.at(-1)!, 'the two runs overlap');
  t.true(lines.some((l) => l.type === 'progress' && l.task === 'eval:sp:knn'));

  const saved = await results(parallelRuns, 'tiny');
  t.true(saved.complete);
  t.is(saved.jobs.jobs, 2);
  t.deepEqual(saved.runs.map((r) => [r.label, r.status, r.steps]), [['SP', 'completed', 10], ['AP', 'completed', 10]]);
  t.true(saved.runs.every((r) => typeof r.evaluations.knn?.metrics.top1 === 'number' && r.error === undefined));
  t.deepEqual((await readdir(join(parallelRuns, 'reproduce-tiny'))).sort(), ['ap', 'results.json', 'sp'], 'no task files left behind');

  const serialRuns = join(box.dir, 'runs-jobs1');
  const serial = await sempair(['reproduce', '--preset-file', preset, '--runs-dir', serialRuns, '--jobs', '1', '--json'], { cwd: box.dir, env: box.env });
  t.is(serial.code, 0, serial.stderr);
  t.false(jsonLines(serial.stdout).some((l) => l.type === 'process'), '--jobs 1 trains in this process');
  const inProcess = await results(serialRuns, 'tiny');
  t.is(inProcess.jobs.jobs, 1);
  // Same structure and, runs being seeded, the same numbers.
  const comparable = (r: Results, runs: string) =>
    JSON.parse(JSON.stringify({ ...r, finishedAt: undefined, seconds: undefined, jobs: undefined, experiment: undefined }).replaceAll(runs, '<runs>')) as unknown;
  t.deepEqual(comparable(saved, parallelRuns), comparable(inProcess, serialRuns));
});

test.serial('a killed child fails its run only: the other run is trained, evaluated and reported', async (t) => {
  const preset = await tinyPreset('crash', { sp: 40, ap: 2 });
  const runs = join(box.dir, 'runs-crash');
  let killed = false;
  const pids = new Map<string, number>();
  const result = await reproduceLive(['--preset-file', preset, '--runs-dir', runs, '--jobs', '2'], (line) => {
    if (line.type === 'process') pids.set(line.run as string, line.pid as number);
    if (!killed && line.type === 'progress' && line.task === 'pretrain:sp') {
      killed = true;
      process.kill(pids.get('sp')!, 'SIGKILL');
    }
  });
  t.true(killed);
  t.is(result.code, 1, result.stderr);
  t.regex(result.stderr, /Not finished: SP \(failed: its process was killed \(SIGKILL\)\)\. Run the same command again to continue\.\n$/);
  t.true(result.lines.some((l) => l.type === 'error' && l.task === 'pretrain:sp'));
  const saved = await results(runs, 'crash');
  t.false(saved.complete);
  const [sp, ap] = saved.runs;
  t.like(sp, { label: 'SP', status: 'failed', error: 'its process was killed (SIGKILL)', evaluations: {} });
  t.like(ap, { label: 'AP', status: 'completed', steps: 10 });
  t.is(typeof ap!.evaluations.knn?.metrics.top1, 'number');
  t.is(ap!.error, undefined);
});

test.serial('Ctrl-C reaches every child: each saves a checkpoint, and the next invocation resumes them', async (t) => {
  const preset = await tinyPreset('interrupt', { sp: 40, ap: 40 });
  const runs = join(box.dir, 'runs-interrupt');
  const training = new Set<string>();
  let interrupted = false;
  const result = await reproduceLive(['--preset-file', preset, '--runs-dir', runs, '--jobs', '2'], (line, parent) => {
    if (line.type === 'progress' && typeof line.task === 'string' && line.task.startsWith('pretrain:')) training.add(line.task);
    if (!interrupted && training.size === 2) {
      interrupted = true;
      parent.kill('SIGINT'); // the parent only, as the children have their own process group
    }
  });
  t.true(interrupted);
  t.is(result.code, 130, result.stderr);
  t.regex(result.stderr, /Not finished: SP \(aborted\), AP \(aborted\)\. Run the same command again to continue\./);
  const saved = await results(runs, 'interrupt');
  for (const run of saved.runs) {
    t.is(run.status, 'aborted');
    t.true(run.steps! >= 1);
    const status = JSON.parse(await readFile(join(run.runDir, 'status.json'), 'utf8')) as { state: string; checkpoint: string | null };
    t.is(status.state, 'aborted');
    t.true(existsSync(join(run.runDir, 'checkpoints', status.checkpoint!)));
  }
  const again = await sempair(['reproduce', '--preset-file', preset, '--runs-dir', runs, '--dry-run', '--json'], { cwd: box.dir, env: box.env });
  t.is(again.code, 0, again.stderr);
  const planned = (jsonLines(again.stdout)[0] as { runs: PlanRun[] }).runs;
  t.deepEqual(planned.map((r) => r.action), saved.runs.map((r) => `resume from step ${r.steps}`));
});

// A random-init baseline end to end on the tiniest grid (SP and AP of SimCLR on 40 tiny scenes,
// one epoch, kNN on 40): `baselines: [random-init]` plans one baseline for both runs (they share
// the backbone and seed), which the local executor evaluates once, untrained, into its own
// directory; the same command again skips it; `sempair results` shows it as a "random init"
// row with the note on cells below it; `--run <id>` evaluates it alone (what a Slurm task runs).
// `sempair eval --random-init` on one run and two downstream sets keeps both results.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { jsonLines, sandbox, sempair } from './helpers/cli.js';

const box = await sandbox();

const EXPERIMENT = `
id: tiny-baseline
description: tiny SP vs AP beside random init
scale: cpu
base:
  method: simclr
  methodOptions: { projHiddenDim: 32, projOutputDim: 16 }
  dataset: synthetic
  datasetOptions: { perClass: 4, size: 16 }
  backbone: resnet18
  backboneOptions: { width: 4, cifarStem: true }
  augmentation: { size: 16 }
  batchSize: 16
  epochs: 1
grid:
  pairs:
    - { label: SP, pairs: semantic-labels }
    - { label: AP, pairs: augmented }
evaluations:
  - { name: knn-small, evaluator: knn, options: { k: 3, datasetOptions: "perClass=4,size=16" } }
baselines: [random-init]
tables:
  - id: main
    title: tiny, kNN top-1
    rows: [pairs]
    columns: { metrics: [{ evaluation: knn-small, label: shifted, paper: STL-10 }] }
    difference: { axis: pairs, a: SP, b: AP }
    paper: { SP: { STL-10: 85.59 }, AP: { STL-10: 81.76 } }
`;

interface PlanRun {
  id: string;
  label: string;
  runDir: string;
  action: string;
  command: string;
  baseline?: { kind: string; runs: string[]; architecture: string };
  evaluations: Array<{ name: string; action: string }>;
}

interface TableJson {
  rows: Array<{ kind: string; label: string; cells: Array<{ ours?: { mean: number; n: number }; paper?: number; status?: string }> }>;
  verdict: string[];
  missing: unknown[];
}

const dir = join(box.dir, 'study');
const file = join(dir, 'tiny.experiment.yaml');
const runsDir = join(dir, 'runs');
await mkdir(dir, { recursive: true });
await writeFile(file, EXPERIMENT);

async function dryRun(runs = runsDir): Promise<PlanRun[]> {
  const result = await sempair(['reproduce', file, '--runs-dir', runs, '--dry-run', '--json'], { cwd: dir, env: box.env });
  if (result.code !== 0) throw new Error(result.stderr);
  return (jsonLines(result.stdout)[0] as { runs: PlanRun[] }).runs;
}

test.serial('a random-init baseline is planned once, evaluated once untrained, saved, skipped on a re-run and shown by results', async (t) => {
  const plan = await dryRun();
  t.deepEqual(plan.map((r) => r.label), ['SP', 'AP', 'random init']);
  const [sp, ap, baseline] = plan;
  t.regex(baseline!.id, /^random-init-resnet18-s0-[0-9a-f]{8}$/);
  t.is(baseline!.runDir, join(runsDir, 'tiny-baseline-cpu', baseline!.id));
  t.is(baseline!.action, 'none (random init)');
  t.deepEqual(baseline!.baseline, { kind: 'random-init', runs: [sp!.id, ap!.id], architecture: '' });
  t.deepEqual(baseline!.evaluations.map((e) => [e.name, e.action]), [['knn-small', 'run']]);
  t.regex(baseline!.command, new RegExp(`--run ${baseline!.id}$`));

  const first = await sempair(['reproduce', file, '--runs-dir', runsDir, '--jobs', '1', '--json'], { cwd: dir, env: box.env, timeoutMs: 300_000 });
  t.is(first.code, 0, first.stderr);
  const lines = jsonLines(first.stdout);
  t.false(lines.some((l) => String(l.task).startsWith(`pretrain:${baseline!.id}`)), 'a baseline has no pre-training task');
  const result = lines.find((l) => l.type === 'result') as { complete: boolean; summary: Record<string, number>; runs: Array<{ id: string; status: string; baseline?: string; evaluations: Record<string, { metrics: { top1: number } }> }> };
  t.true(result.complete);
  t.deepEqual(result.summary, { completed: 3 });
  const outcome = result.runs.find((r) => r.id === baseline!.id)!;
  t.like(outcome, { status: 'completed', baseline: 'random-init' });

  // Its own directory: what it is and its random-init result; nothing trained there.
  t.deepEqual((await readdir(baseline!.runDir)).sort(), ['baseline.json', 'eval']);
  t.deepEqual(await readdir(join(baseline!.runDir, 'eval')), ['knn-small-random.json']);
  const resultFile = join(baseline!.runDir, 'eval', 'knn-small-random.json');
  const saved = JSON.parse(await readFile(resultFile, 'utf8')) as { name: string; randomInit: boolean; checkpoint: null; metrics: { top1: number } };
  t.like(saved, { name: 'knn-small', randomInit: true, checkpoint: null });
  t.is(saved.metrics.top1, outcome.evaluations['knn-small']!.metrics.top1);
  const described = JSON.parse(await readFile(join(baseline!.runDir, 'baseline.json'), 'utf8')) as Record<string, unknown>;
  t.like(described, { kind: 'random-init', backbone: 'resnet18', backboneOptions: { width: 4, cifarStem: true }, imageSize: 16, seed: 0, runs: [sp!.id, ap!.id] });
  const evaluatedAt = (await stat(resultFile)).mtimeMs;

  // The same command again: the baseline is done, shown as skipped in the task list, not redone.
  const again = await dryRun();
  t.deepEqual(again[2]!.evaluations.map((e) => e.action), ['reuse']);
  const second = await sempair(['reproduce', file, '--runs-dir', runsDir], { cwd: dir, env: box.env });
  t.is(second.code, 0, second.stderr);
  t.regex(second.stdout + second.stderr, /evaluate random init: knn-small — done earlier/);
  t.is((await stat(resultFile)).mtimeMs, evaluatedAt, 'the baseline is not evaluated again');

  // results: a "random init" row after SP − AP, ours only, and the note against it.
  const json = await sempair(['results', file, '--runs-dir', runsDir, '--format', 'json'], { cwd: dir, env: box.env });
  t.is(json.code, 0, json.stderr);
  const table = (JSON.parse(json.stdout) as { tables: TableJson[] }).tables[0]!;
  t.deepEqual(table.rows.map((r) => [r.kind, r.label]), [['runs', 'SP'], ['runs', 'AP'], ['difference', 'SP − AP'], ['baseline', 'random init']]);
  t.deepEqual(table.rows[3]!.cells, [{ ours: { mean: saved.metrics.top1, n: 1 } }]);
  t.deepEqual(table.missing, []);
  const cells = table.rows.slice(0, 2).map((r) => r.cells[0]!.ours!.mean);
  const below = cells.filter((v) => v <= saved.metrics.top1).length;
  t.regex(table.verdict.at(-1)!, below === 0 ? /^Pre-training beats random init in both cells measured at cpu scale\.$/ : /^(Below|Not above) random init at cpu scale: .* — (SP|AP) \(shifted \d+\.\d\d vs \d+\.\d\d/);
  const human = await sempair(['results', file, '--runs-dir', runsDir], { cwd: dir, env: box.env });
  t.regex(human.stdout, /random init\s+│\s+\d+\.\d\d\s+│\s+—\s+│/, 'our number, the paper column empty');
  t.regex(human.stdout, /random init (in|at cpu scale)/);
  const markdown = await sempair(['results', file, '--runs-dir', runsDir, '--format', 'markdown'], { cwd: dir, env: box.env });
  t.regex(markdown.stdout, /\| \*random init\* \| \d+\.\d\d \| — \|/);

  // `sempair eval --random-init` of one run on two downstream sets: two files, neither overwritten.
  const probe = (extra: string[]) => sempair(['eval', 'knn', sp!.runDir, '--random-init', '--k', '3', '--dataset-options', 'perClass=4,size=16', ...extra], { cwd: dir, env: box.env });
  const shifted = await probe([]);
  t.is(shifted.code, 0, shifted.stderr);
  const scenes = await probe(['--dataset', 'synthetic']);
  t.is(scenes.code, 0, scenes.stderr);
  const files = (await readdir(join(sp!.runDir, 'eval'))).sort();
  t.is(files.length, 3, files.join(', '));
  t.true(files.includes('knn-small.json'));
  t.true(files.some((f) => /^knn-synthetic-shifted-[0-9a-f]{6}-random\.json$/.test(f)));
  t.true(files.some((f) => /^knn-synthetic-[0-9a-f]{6}-random\.json$/.test(f)));
  t.regex(scenes.stdout, /Saved in .*knn-synthetic-[0-9a-f]{6}-random\.json/);
});

test.serial('--run <baseline id> evaluates the baseline alone, as a Slurm array task would', async (t) => {
  const fresh = join(dir, 'runs-one');
  const plan = await dryRun(fresh);
  const baseline = plan.find((r) => r.baseline)!;
  const args = baseline.command.split(' ').slice(1);
  const result = await sempair(args, { cwd: dir, env: box.env });
  t.is(result.code, 0, result.stderr);
  t.deepEqual((await readdir(join(fresh, 'tiny-baseline-cpu'))).filter((n) => !n.endsWith('.json')), [baseline.id], 'no run trained');
  t.true(existsSync(join(baseline.runDir, 'eval', 'knn-small-random.json')));
  const after = await dryRun(fresh);
  t.deepEqual(after.map((r) => r.evaluations[0]!.action), ['run', 'run', 'reuse']);
});

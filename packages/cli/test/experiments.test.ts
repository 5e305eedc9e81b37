// Experiment files end to end: a YAML grid found by cosmiconfig trains on the local executor;
// killing the whole process mid-grid and running the same command again finishes the grid
// without redoing the finished runs (their status, checkpoints and results untouched);
// `sempair results` shows partial grids and every format; one run is a standalone command;
// every built-in preset lists its cost and expands at cpu scale.
import { spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { BIN, jsonLines, REPO, sandbox, sempair } from './helpers/cli.js';

const box = await sandbox();

/** SimCLR on 80 tiny scenes, SP vs AP × two seeds, kNN on 40: seconds per run. */
const EXPERIMENT = `
id: tiny-grid
description: tiny SP vs AP over two seeds
scale: cpu
base:
  method: simclr
  methodOptions: { projHiddenDim: 32, projOutputDim: 16 }
  dataset: synthetic
  datasetOptions: { perClass: 8, size: 16 }
  backbone: resnet18
  backboneOptions: { width: 4, cifarStem: true }
  augmentation: { size: 16 }
  batchSize: 16
  epochs: 3
grid:
  pairs:
    - { label: SP, pairs: semantic-labels }
    - { label: AP, pairs: augmented }
  seeds: [0, 1]
evaluations:
  - { name: knn-small, evaluator: knn, options: { k: 3, datasetOptions: "perClass=4,size=16" } }
tables:
  - id: main
    title: tiny grid, kNN top-1
    rows: [pairs]
    columns: { metrics: [{ evaluation: knn-small, label: shifted, paper: STL-10 }] }
    difference: { axis: pairs, a: SP, b: AP }
    paper: { SP: { STL-10: 85.59 }, AP: { STL-10: 81.76 } }
`;

interface PlanRun {
  id: string;
  axes: Record<string, string>;
  runDir: string;
  action: string;
  command: string;
  evaluations: Array<{ name: string; action: string }>;
}

async function dryRun(args: string[], cwd: string): Promise<{ dir: string; runs: PlanRun[] }> {
  const result = await sempair(['reproduce', ...args, '--dry-run', '--json'], { cwd, env: box.env });
  if (result.code !== 0) throw new Error(result.stderr);
  return jsonLines(result.stdout)[0] as unknown as { dir: string; runs: PlanRun[] };
}

/** What must not change for a finished run when the grid goes on: its files' modification times. */
async function footprint(runDir: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const file of ['status.json', 'config.json', 'metrics.jsonl', 'eval/knn-small.json']) out[file] = (await stat(join(runDir, file))).mtimeMs;
  for (const name of await readdir(join(runDir, 'checkpoints'))) out[`checkpoints/${name}`] = (await stat(join(runDir, 'checkpoints', name))).mtimeMs;
  return out;
}

test.serial('a grid killed mid-way finishes on the next run without redoing finished runs', async (t) => {
  const dir = join(box.dir, 'study');
  await (await import('node:fs/promises')).mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'sempair.experiment.yaml'), EXPERIMENT);
  const runsDir = join(dir, 'runs');
  // Found from the current directory, no argument needed.
  const plan = await dryRun(['--runs-dir', runsDir], dir);
  t.is(plan.dir, join(runsDir, 'tiny-grid-cpu'));
  t.deepEqual(plan.runs.map((r) => `${r.axes.pairs}/${r.axes.seed}`), ['SP/0', 'SP/1', 'AP/0', 'AP/1']);
  t.true(plan.runs.every((r) => /^(sp|ap)-s[01]-[0-9a-f]{8}$/.test(r.id) && r.action === 'train'));

  // One run at a time in this process; killed outright (SIGKILL, no checkpoint on the way out)
  // once the third run is training, so two runs are finished and evaluated.
  const third = plan.runs[2]!.id;
  const killed = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    const child = spawn(process.execPath, [BIN, 'reproduce', '--runs-dir', runsDir, '--jobs', '1', '--json'], {
      cwd: dir,
      env: { ...process.env, ...box.env, NODE_ENV: undefined, CI: 'true' },
    });
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.includes(`"task":"pretrain:${third}"`) && line.includes('"type":"progress"') && /"step":[2-9]/.test(line)) child.kill('SIGKILL');
      }
    });
    child.on('close', (code, signal) => done({ code, signal }));
  });
  t.is(killed.signal, 'SIGKILL');

  const status = async (run: PlanRun) => JSON.parse(await readFile(join(run.runDir, 'status.json'), 'utf8')) as { state: string; step: number };
  const [a, b, c, d] = plan.runs;
  t.is((await status(a!)).state, 'completed');
  t.is((await status(b!)).state, 'completed');
  t.is((await status(c!)).state, 'running', 'killed while training');
  const before = { a: await footprint(a!.runDir), b: await footprint(b!.runDir) };

  // Partial grid: results say what is missing.
  const partial = await sempair(['results', '--runs-dir', runsDir, '--format', 'json'], { cwd: dir, env: box.env });
  t.is(partial.code, 0, partial.stderr);
  const partialTable = (JSON.parse(partial.stdout) as { tables: Array<{ rows: Array<{ label: string; cells: Array<{ ours?: { n: number }; status?: string }> }>; missing: unknown[] }> }).tables[0]!;
  t.is(partialTable.rows[0]!.cells[0]!.ours!.n, 2, 'SP: both seeds done');
  t.regex(partialTable.rows[1]!.cells[0]!.status!, /^running \(step \d+\/15\), not run$/);
  t.is(partialTable.missing.length, 2);
  const again = await dryRun(['--runs-dir', runsDir], dir);
  t.deepEqual(again.runs.map((r) => r.action.replace(/\d+$/, 'N')), ['skip (finished)', 'skip (finished)', 'resume from step N', 'train']);
  t.deepEqual(again.runs.slice(0, 2).flatMap((r) => r.evaluations.map((e) => e.action)), ['reuse', 'reuse']);
  t.deepEqual(again.runs.filter((r) => r.action !== 'skip (finished)').map((r) => r.command.replace(/^sempair /, '')), [c, d].map((r) => `reproduce ${join(dir, 'sempair.experiment.yaml')} --runs-dir ${runsDir} --run ${r!.id}`));

  const finish = await sempair(['reproduce', '--runs-dir', runsDir, '--json'], { cwd: dir, env: box.env, timeoutMs: 300_000 });
  t.is(finish.code, 0, finish.stderr);
  const lines = jsonLines(finish.stdout);
  t.deepEqual(
    lines.filter((l) => l.type === 'skip').map((l) => l.task).sort(),
    [`eval:${a!.id}:knn-small`, `eval:${b!.id}:knn-small`, `pretrain:${a!.id}`, `pretrain:${b!.id}`].sort(),
  );
  t.false(lines.some((l) => l.type === 'progress' && (l.task === `pretrain:${a!.id}` || l.task === `pretrain:${b!.id}`)), 'finished runs do not train again');
  t.deepEqual(await footprint(a!.runDir), before.a, 'the finished runs are untouched');
  t.deepEqual(await footprint(b!.runDir), before.b);
  for (const run of plan.runs) t.like(await status(run), { state: 'completed', step: 15 });
  const result = lines.find((l) => l.type === 'result') as { complete: boolean; summary: Record<string, number> };
  t.true(result.complete);
  t.deepEqual(result.summary, { completed: 4 });

  // The whole table, in every format.
  const json = await sempair(['results', '--runs-dir', runsDir, '--format', 'json'], { cwd: dir, env: box.env });
  const table = (JSON.parse(json.stdout) as { scale: string; tables: Array<{ rows: Array<{ kind: string; cells: Array<{ ours?: { mean: number; n: number; std?: number }; paper?: number }> }>; verdict: string[]; missing: unknown[] }> }).tables[0]!;
  t.is(table.missing.length, 0);
  const [sp, ap, diff] = table.rows;
  t.is(sp!.cells[0]!.ours!.n, 2);
  t.is(typeof sp!.cells[0]!.ours!.std, 'number');
  t.is(sp!.cells[0]!.paper, 85.59);
  t.is(Math.round(diff!.cells[0]!.ours!.mean * 1e6), Math.round((sp!.cells[0]!.ours!.mean - ap!.cells[0]!.ours!.mean) * 1e6));
  t.is(diff!.cells[0]!.paper, 3.83);
  t.regex(table.verdict[0]!, diff!.cells[0]!.ours!.mean > 0 ? /^SP beats AP in the one cell measured at cpu scale\.$/ : /^SP does not beat AP in 1 of 1 cell measured at cpu scale: shifted [−±]\d+\.\d\d\.$/);
  const human = await sempair(['results', '--runs-dir', runsDir], { cwd: dir, env: box.env });
  t.regex(human.stdout, /shifted \(ours, cpu scale\).*STL-10 \(paper\)/);
  t.regex(human.stdout, /SP − AP\s+│\s+[+−]\d+\.\d\d \(n=2\)\s+│\s+\+3\.83/);
  t.regex(human.stdout, /Ours: cpu scale .*not comparable in value to the paper's/);
  const markdown = await sempair(['results', '--runs-dir', runsDir, '--format', 'markdown'], { cwd: dir, env: box.env });
  t.regex(markdown.stdout, /^## tiny-grid \(cpu scale\)\n\n### tiny grid, kNN top-1\n\n\| pairs \| shifted \(ours, cpu scale\) \| STL-10 \(paper\) \|\n\| --- \| ---: \| ---: \|\n\| SP \| \d+\.\d\d ± \d+\.\d\d \(n=2\) \| 85\.59 \|/);
  const csv = await sempair(['results', '--runs-dir', runsDir, '--format', 'csv'], { cwd: dir, env: box.env });
  const rows = csv.stdout.trim().split('\n');
  t.is(rows[0], 'experiment,scale,table,row,kind,column,paper_column,evaluation,metric,ours,ours_std,n,status,paper');
  t.is(rows.length, 4);
  t.regex(rows[3]!, /^tiny-grid,cpu,main,SP − AP,difference,shifted,STL-10,knn-small,top1,-?\d/);
});

test.serial('one planned run is a standalone command: it trains that run and its evaluations only', async (t) => {
  const dir = join(box.dir, 'standalone');
  await (await import('node:fs/promises')).mkdir(dir, { recursive: true });
  const file = join(dir, 'grid.experiment.yaml');
  await writeFile(file, EXPERIMENT.replace('epochs: 3', 'epochs: 1'));
  const runsDir = join(dir, 'runs');
  const plan = await dryRun([file, '--runs-dir', runsDir], dir);
  const target = plan.runs[3]!;
  const args = target.command.split(' ').slice(1);
  t.deepEqual(args, ['reproduce', file, '--runs-dir', runsDir, '--run', target.id]);
  const result = await sempair(args, { cwd: box.dir, env: box.env });
  t.is(result.code, 0, result.stderr);
  t.deepEqual((await readdir(join(runsDir, 'tiny-grid-cpu'))).filter((n) => !n.endsWith('.json')), [target.id]);
  t.true((await readdir(join(target.runDir, 'eval'))).includes('knn-small.json'));
  const unknown = await sempair([...args.slice(0, -1), 'sp-s9-00000000'], { cwd: box.dir, env: box.env });
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /^Error: tiny-grid has no run 'sp-s9-00000000' — use one of its 4 run ids/);
});

test('reproduce --list shows every preset with its cost at each scale', async (t) => {
  const result = await sempair(['reproduce', '--list', '--json'], { env: box.env });
  t.is(result.code, 0, result.stderr);
  const { presets } = JSON.parse(result.stdout) as { presets: Array<{ id: string; cost: Record<string, string>; runs: string[] }> };
  t.deepEqual(presets.map((p) => p.id), ['quick', 'table1', 'table2', 'table3', 'table4', 'table5', 'figure4', 'figure5']);
  t.deepEqual(presets.find((p) => p.id === 'quick')!.runs, ['SP', 'AP', 'random init']);
  const figure4 = presets.find((p) => p.id === 'figure4')!;
  t.regex(figure4.cost.cpu!, /^8 runs \+ 1 random-init baseline, ≈ \d+ min on a 2-core CPU$/);
  t.regex(figure4.cost.paper!, /^8 runs, ≈ \d+(\.\d)? (h|days) on one A100$/);
  t.regex(presets.find((p) => p.id === 'table1')!.cost.paper!, /^6 runs, /);
  // The built-in detection plugin provides table 3's evaluator, so its cost is an estimate too.
  t.regex(presets.find((p) => p.id === 'table3')!.cost.cpu!, /^2 runs, ≈ \d+ min on a 2-core CPU \+ detection$/);
});

test('every preset expands at cpu scale; the paper scale asks for its data, and its run ids do not depend on where the data lies', async (t) => {
  const runsDir = join(box.dir, 'runs-presets');
  const expected: Record<string, number> = { table1: 6, table2: 2, table4: 2, table5: 6, figure4: 8, figure5: 10 };
  // Every cpu form built on the laptop recipe has its random-init baseline, the same one (one backbone, one seed).
  const withBaseline = ['table1', 'table2', 'table5', 'figure4', 'figure5'];
  const baselineIds = new Set<string>();
  for (const [id, runs] of Object.entries(expected)) {
    const plan = await dryRun([id, '--scale', 'cpu', '--runs-dir', runsDir], box.dir);
    const baselines = plan.runs.filter((r) => r.action === 'none (random init)');
    t.is(plan.runs.length - baselines.length, runs, id);
    t.is(baselines.length, withBaseline.includes(id) ? 1 : 0, id);
    for (const b of baselines) {
      baselineIds.add(b.id);
      t.is(b, plan.runs.at(-1), 'after the runs');
      t.deepEqual(b.evaluations.map((e) => e.name), plan.runs[0]!.evaluations.map((e) => e.name), `${id}: every evaluation`);
    }
    t.is(plan.dir, join(runsDir, `${id}-cpu`));
  }
  t.is(baselineIds.size, 1);
  t.deepEqual([...baselineIds], (await dryRun(['quick', '--runs-dir', runsDir], box.dir)).runs.filter((r) => r.action === 'none (random init)').map((r) => r.id), "quick's too");
  const figure5 = await dryRun(['figure5', '--scale', 'cpu', '--runs-dir', runsDir], box.dir);
  t.deepEqual([...new Set(figure5.runs.filter((r) => r.action !== 'none (random init)').map((r) => r.axes.ablation))], ['all', 'no grayscale', 'no jitter', 'no rotate', 'crop only']);

  const missing = await sempair(['reproduce', 'table1', '--runs-dir', runsDir], { env: box.env, cwd: box.dir });
  t.is(missing.code, 1);
  t.regex(missing.stderr, /^Error: preset table1 \(paper scale\) needs the path of 'imagenet', 'stl10', 'subset' — pass --data imagenet=<path>,stl10=<path>,subset=<path> .*; or run the reduced form on the embedded data: sempair reproduce table1 --scale cpu\n$/);
  const noVoc = await sempair(['reproduce', 'table3', '--scale', 'cpu', '--runs-dir', runsDir], { env: box.env, cwd: box.dir });
  t.is(noVoc.code, 1);
  t.regex(noVoc.stderr, /^Error: preset table3 \(cpu scale\) needs the path of 'voc' — pass --data voc=<path> .*; a small synthetic VOCdevkit: sempair data make-voc --out data\/voc-shapes --colours random\n$/);
  const here = await dryRun(['table1', '--runs-dir', runsDir, '--data', 'imagenet=/a/train,subset=/a/subset,stl10=/a/stl10'], box.dir);
  const there = await dryRun(['table1', '--runs-dir', runsDir, '--data', 'imagenet=/b/train,subset=/b/subset', '--data', 'stl10=/b/stl10'], box.dir);
  t.deepEqual(here.runs.map((r) => r.id), there.runs.map((r) => r.id));
  const config = (here.runs[0] as unknown as { config: { backbone: string; batchSize: number; epochs: number; augmentation: { size: number }; pairOptions: { manifest: string } } }).config;
  t.like(config, { backbone: 'resnet50', batchSize: 256, epochs: 200, augmentation: { size: 64 }, pairOptions: { manifest: '/a/subset/semantic-pairs.csv' } });
  t.regex(here.runs[0]!.command, /^sempair reproduce table1 --scale paper --data imagenet=\/a\/train,subset=\/a\/subset,stl10=\/a\/stl10 --runs-dir \S+ --run sp-e200-[0-9a-f]{8}$/);

  const noScale = await sempair(['reproduce', 'quick', '--scale', 'cpu', '--dry-run'], { env: box.env, cwd: box.dir });
  t.regex(noScale.stderr, /^Error: --scale picks the form of a built-in study preset, and 'quick' is not one/);
  const epochs = await sempair(['reproduce', 'table1', '--scale', 'cpu', '--epochs', '1', '--dry-run'], { env: box.env, cwd: box.dir });
  t.regex(epochs.stderr, /varies the epochs itself/);
});

test('the example experiment files in examples/experiments expand into runs and a random-init baseline', async (t) => {
  const dir = join(REPO, 'examples', 'experiments');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml'));
  t.true(files.length > 0);
  for (const file of files) {
    const plan = await dryRun([join(dir, file), '--runs-dir', join(box.dir, 'examples')], box.dir);
    t.true(plan.runs.length > 1, file);
    t.true(plan.runs.some((r) => r.id.startsWith('random-init-')), `${file} has a random-init baseline`);
  }
});

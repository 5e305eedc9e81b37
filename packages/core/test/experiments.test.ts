// Experiments as data: a grid expands into one run per combination, each with the layers in
// their documented order and a stable id (readable prefix + hash of the resolved config, the
// same whatever the data paths); every mistake in a file is one line naming the key; results
// tables put our numbers beside the paper's, average seeds, and say when SP does not beat AP;
// random-init baselines get stable ids and a row of their own, and cells below them are named.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { createRegistry } from '../src/builtins.js';
import { isUserError } from '../src/errors.js';
import type { MethodDefinition } from '../src/method.js';
import { configId } from '../src/runs/run-dir.js';
import {
  buildResultTables,
  expandExperiment,
  readRunRecords,
  type ExpandOptions,
  type ExperimentGrid,
  type ExperimentSpec,
  type TableSpec,
} from '../src/experiments/index.js';

/** Two methods with distinct options and optimiser defaults; nothing here trains. */
function registry() {
  const r = createRegistry();
  const method = (id: string, lr: number, option: string): MethodDefinition => ({
    id,
    description: id,
    options: { [option]: { type: 'integer', default: 64, min: 1, description: option } },
    training: { optimizer: 'sgd', lr },
    augmentation: 'symmetric',
    create: () => {
      throw new Error('not trained in these tests');
    },
  });
  r.methods.register(method('simclr', 0.4, 'projHiddenDim'));
  r.methods.register(method('byol', 1.0, 'predHiddenDim'));
  return r;
}

const options = (extra: Partial<ExpandOptions> = {}): ExpandOptions => ({
  registry: registry(),
  where: 'experiment test.yaml',
  invocation: { experiment: '/x/test.yaml', data: {}, runsDir: '/runs' },
  ...extra,
});

const spec = (extra: Partial<ExperimentSpec> = {}): ExperimentSpec => ({
  id: 'grid',
  scale: 'cpu',
  base: { dataset: 'synthetic', datasetOptions: { perClass: 20 }, backboneOptions: { width: 4 }, epochs: 2, batchSize: 16 },
  grid: {
    methods: ['simclr', 'byol'],
    pairs: [{ label: 'SP', pairs: 'semantic-labels' }, { label: 'AP', pairs: 'augmented' }],
    epochs: [1, { label: 'long', epochs: 3, paper: '800' }],
    seeds: [0, 1],
  },
  methodSettings: { byol: { methodOptions: { predHiddenDim: 8 }, training: { lr: 0.5 } } },
  evaluations: ['knn', { name: 'linear-shifted', evaluator: 'linear', options: { dataset: 'synthetic-shifted', epochs: 3 } }],
  ...extra,
});

function userErrorLine(t: import('ava').ExecutionContext, run: () => unknown, pattern: RegExp): void {
  const error = t.throws(run);
  t.true(isUserError(error), String(error));
  const line = `${error!.message}${(error as { fix?: string }).fix ? ` — ${(error as { fix?: string }).fix}` : ''}`;
  t.false(line.includes('\n'), 'one line');
  t.regex(line, pattern);
}

test('a grid expands into every combination, layers in order, ids stable and readable', (t) => {
  const expanded = expandExperiment(spec(), options());
  t.is(expanded.runs.length, 2 * 2 * 2 * 2);
  t.is(expanded.dir, '/runs/grid-cpu');
  const [first] = expanded.runs;
  t.deepEqual(first!.axes, { method: 'simclr', pairs: 'SP', epochs: '1', seed: '0' });
  t.regex(first!.id, /^simclr-sp-e1-s0-[0-9a-f]{8}$/);
  t.is(first!.runDir, `/runs/grid-cpu/${first!.id}`);
  t.is(first!.label, 'simclr SP 1 0');
  // The hash is the resolved config's, without the backend: computed independently here.
  const { backend: _b, ...rest } = first!.config;
  t.is(first!.id.slice(-8), configId(rest).slice(0, 8));

  const byolLong = expanded.runs.find((r) => r.axes.method === 'byol' && r.axes.epochs === 'long' && r.axes.pairs === 'AP' && r.axes.seed === '1')!;
  t.regex(byolLong.id, /^byol-ap-elong-s1-/);
  t.is(byolLong.config.epochs, 3, 'the axis value beats the base');
  t.is(byolLong.config.seed, 1);
  t.is(byolLong.config.pairs, 'augmented');
  t.is(byolLong.config.training.lr, 0.5, 'methodSettings beat the method default');
  t.is(byolLong.config.methodOptions.predHiddenDim, 8);
  t.is(first!.config.training.lr, 0.4, "simclr keeps its own default");
  t.is(first!.config.backboneOptions.width, 4, 'base layer');
  t.deepEqual(expanded.axes.find((a) => a.name === 'epochs')!.values, [{ label: '1' }, { label: 'long', paper: '800' }]);
  t.deepEqual(first!.evaluations.map((e) => [e.name, e.evaluator, e.options.dataset]), [['knn', 'knn', 'synthetic-shifted'], ['linear-shifted', 'linear', 'synthetic-shifted']]);
  t.deepEqual(first!.evaluations[1]!.requested, { dataset: 'synthetic-shifted', epochs: 3 });

  const again = expandExperiment(spec(), options());
  t.deepEqual(again.runs.map((r) => r.id), expanded.runs.map((r) => r.id), 'the same experiment expands to the same ids');
  const ids = new Set(expanded.runs.map((r) => r.id));
  t.is(ids.size, expanded.runs.length);
  // Adding a value to an axis keeps the ids of the runs there were.
  const wider = expandExperiment(spec({ grid: { ...spec().grid, seeds: [0, 1, 2] } }), options());
  for (const id of ids) t.true(wider.runs.some((r) => r.id === id));
  // --epochs and --backend: a layer over everything; the backend is not part of the id.
  const other = expandExperiment(spec(), options({ overrides: { backend: 'cpu' } }));
  t.deepEqual(other.runs.map((r) => r.id), expanded.runs.map((r) => r.id));
  t.is(other.runs[0]!.config.backend, 'cpu');
  const noEpochs = spec({ grid: { ...spec().grid, epochs: undefined } });
  const shorter = expandExperiment(noEpochs, options({ overrides: { epochs: 1 } }));
  t.is(shorter.dir, '/runs/grid-cpu-e1');
  t.true(shorter.runs.every((r) => r.config.epochs === 1));
  userErrorLine(t, () => expandExperiment(spec(), options({ overrides: { epochs: 1 } })), /varies the epochs itself \(grid\.epochs\), so --epochs would make those runs one — drop --epochs/);
});

test('ablation and data-size axes; --methods replaces the methods axis', (t) => {
  const expanded = expandExperiment(
    spec({ grid: { pairs: ['augmented'], perClass: [5, 10], ablations: [[], ['grayscale', 'blur'], { label: 'crop only', disable: ['jitter', 'grayscale', 'blur', 'flip', 'rotate', 'solarize'] }] } }),
    options(),
  );
  t.is(expanded.runs.length, 6);
  const labels = expanded.runs.map((r) => `${r.axes.perClass}/${r.axes.ablation}`);
  t.deepEqual(labels, ['5/all', '5/no grayscale+blur', '5/crop only', '10/all', '10/no grayscale+blur', '10/crop only']);
  t.deepEqual(expanded.runs[1]!.config.augmentation.disable, ['grayscale', 'blur']);
  t.is(expanded.runs[3]!.config.pairOptions.perClass, 10);
  t.regex(expanded.runs[1]!.id, /^augmented-pc5-no-grayscale-blur-[0-9a-f]{8}$/);

  const one = expandExperiment(spec(), options({ methods: ['byol'] }));
  t.true(one.runs.every((r) => r.config.method === 'byol'));
  t.is(one.runs.length, 8);
});

test('dataset paths are $data references: filled from --data, never part of the run id', (t) => {
  const withData = (data: Record<string, string>) =>
    expandExperiment(
      spec({
        base: { dataset: 'stl10', datasetOptions: { root: '$data:stl10', size: 32 }, epochs: 1 },
        grid: { pairs: ['augmented'] },
        evaluations: [{ name: 'linear-cifar10', evaluator: 'linear', options: { dataset: 'cifar10', datasetOptions: 'root=$data:cifar10' } }],
      }),
      options({ data: [data] }),
    );
  const a = withData({ stl10: '/data/a/stl10', cifar10: '/data/a/cifar' });
  const b = withData({ stl10: '/elsewhere/stl10', cifar10: '/elsewhere/cifar' });
  t.is(a.runs[0]!.config.datasetOptions.root, '/data/a/stl10');
  t.is(a.runs[0]!.evaluations[0]!.options.datasetOptions, 'root=/data/a/cifar');
  t.deepEqual(a.runs[0]!.dataRefs, { 'datasetOptions.root': '$data:stl10' });
  t.is(a.runs[0]!.id, b.runs[0]!.id);
  userErrorLine(t, () => withData({ stl10: '/s' }), /^experiment test\.yaml needs the path of 'cifar10' — pass --data cifar10=<path>/);
  // Flags beat the config file, which beats the experiment's own data.
  const layered = expandExperiment(
    spec({ base: { dataset: 'stl10', datasetOptions: { root: '$data:stl10' } }, grid: { pairs: ['augmented'] }, evaluations: [], data: { stl10: '/own' } }),
    options({ data: [{ stl10: '/flag' }, { stl10: '/file' }] }),
  );
  t.is(layered.runs[0]!.config.datasetOptions.root, '/flag');
  const dry = expandExperiment(spec({ base: { dataset: 'stl10', datasetOptions: { root: '$data:stl10' } }, grid: { pairs: ['augmented'] }, evaluations: [] }), options({ allowMissingData: true }));
  t.deepEqual(dry.missingData, ['stl10']);
});

test('every mistake in an experiment is one line naming the key', (t) => {
  const bad = (value: unknown, pattern: RegExp) => userErrorLine(t, () => expandExperiment(value, options()), pattern);
  bad([], /test\.yaml: the file must hold an object/);
  bad({ ...spec(), gird: {} }, /key 'gird' is unknown — use one of: id, description/);
  bad({ ...spec(), id: 'a b' }, /: id must be a name/);
  bad({ ...spec(), grid: { epoch: [1] } }, /grid\.epoch is not an axis — use one of: methods, pairs/);
  bad({ ...spec(), grid: { epochs: [] } }, /grid\.epochs must be a non-empty list/);
  bad({ ...spec(), grid: { epochs: [1, 0] } }, /grid\.epochs\[1\] must be a positive number/);
  bad({ ...spec(), grid: { pairs: [{ pairs: 'augmented' }] } }, /grid\.pairs\[0\]\.label must be a non-empty text/);
  bad({ ...spec(), grid: { pairs: [{ label: 'AP', pair: 'augmented' }] } }, /grid\.pairs\[0\]\.pair is not a config key/);
  bad({ ...spec(), grid: { pairs: ['augmented', { label: 'augmented', pairs: 'semantic-labels' }] } }, /grid\.pairs\[1\] repeats the label 'augmented'/);
  bad({ ...spec(), base: { epocs: 3 } }, /base\.epocs is not a config key/);
  bad({ ...spec(), evaluations: ['knn', { evaluator: 'knn' }] }, /evaluations\[1\] repeats the evaluation name 'knn'/);
  bad({ ...spec(), evaluations: [{ evaluator: 'linear', options: { k: 3 } }] }, /evaluation linear: evaluator linear has no option 'k'/);
  bad({ ...spec(), evaluations: [{ evaluator: 'detection', plugin: '@sempair/eval-detection' }] }, /evaluation detection needs the evaluator 'detection' \(from @sempair\/eval-detection\), which is not installed — install it \(sempair plugins install @sempair\/eval-detection\)/);
  bad({ ...spec(), grid: { methods: ['simclr', 'swav'] } }, /run swav: unknown method 'swav'/);
  bad({ ...spec(), tables: [{ id: 't', title: 'T', rows: ['pairs'], columns: { axis: 'epochs', evaluation: 'nope' } }] }, /tables\[0\]\.columns\.evaluation names no evaluation of this experiment \("nope"\) — use one of: knn, linear-shifted/);
  bad({ ...spec(), tables: [{ id: 't', title: 'T', rows: ['pairs'], columns: { axis: 'epochs', evaluation: 'knn' } }] }, /table t \(tables\[0\]\) leaves axis method \(2 values\) out of its rows, columns and where/);
  bad({ ...spec(), tables: [{ id: 't', title: 'T', rows: ['method', 'pairs'], columns: { axis: 'epochs', evaluation: 'knn' }, difference: { axis: 'pairs', a: 'SP', b: 'XP' } }] }, /difference\.b is not a label of axis pairs \("XP"\) — use one of: SP, AP/);
  bad({ ...spec(), grid: { pairs: ['augmented', 'augmented-again'] } }, /unknown pair source 'augmented-again'/);
  bad({ ...spec(), grid: { pairs: ['augmented', { label: 'same', pairs: 'augmented' }] } }, /runs augmented and same have the same config/);
});

/** Writes a completed run with one evaluation result, as the trainer and evaluateRun would. */
async function fakeRun(runDir: string, state: string, metrics?: Record<string, Record<string, number>>, step = 10): Promise<void> {
  await mkdir(join(runDir, 'eval'), { recursive: true });
  const now = new Date().toISOString();
  await writeFile(join(runDir, 'status.json'), JSON.stringify({ state, epoch: 1, step, totalSteps: 10, checkpoint: null, backend: 'wasm', startedAt: now, updatedAt: now }));
  for (const [name, m] of Object.entries(metrics ?? {})) await writeFile(join(runDir, 'eval', `${name}.json`), JSON.stringify({ evaluator: 'knn', options: {}, metrics: m }));
}

/** The results tests' grid: SP vs AP × 1 and 3 ("long", the paper's 800) epochs × two seeds. */
const SP_AP_BY_EPOCHS: ExperimentGrid = { pairs: [{ label: 'SP', pairs: 'semantic-labels' }, { label: 'AP', pairs: 'augmented' }], epochs: [1, { label: 'long', epochs: 3, paper: '800' }], seeds: [0, 1] };
const PAPER_BY_EPOCHS = { SP: { '1': 80, '800': 86.56 }, AP: { '1': 78.5, '800': 82.41 } };

/** Its table: rows by pairs, a column per epochs value, SP − AP, the paper's numbers given. */
function byEpochsTable(paper: TableSpec['paper']): TableSpec {
  return { id: 'main', title: 'by epochs', rows: ['pairs'], columns: { axis: 'epochs', evaluation: 'knn' }, difference: { axis: 'pairs', a: 'SP', b: 'AP' }, paper };
}

test('results tables: our numbers beside the paper’s, seeds averaged, SP − AP, negatives said plainly, missing runs shown', async (t) => {
  const runsDir = await mkdtemp(join(tmpdir(), 'sempair-results-'));
  const experiment = expandExperiment(
    spec({
      evaluations: ['knn'],
      grid: SP_AP_BY_EPOCHS,
      tables: [byEpochsTable(PAPER_BY_EPOCHS)],
    }),
    options({ invocation: { experiment: 'x', data: {}, runsDir } }),
  );
  const at = (pairs: string, epochs: string, seed: string) => experiment.runs.find((r) => r.axes.pairs === pairs && r.axes.epochs === epochs && r.axes.seed === seed)!.runDir;
  await fakeRun(at('SP', '1', '0'), 'completed', { knn: { top1: 60 } });
  await fakeRun(at('SP', '1', '1'), 'completed', { knn: { top1: 64 } });
  await fakeRun(at('AP', '1', '0'), 'completed', { knn: { top1: 63 } });
  await fakeRun(at('AP', '1', '1'), 'completed', { knn: { top1: 65 } });
  await fakeRun(at('SP', 'long', '0'), 'completed', { knn: { top1: 70 } });
  await fakeRun(at('SP', 'long', '1'), 'running', undefined, 4);
  await fakeRun(at('AP', 'long', '0'), 'completed'); // trained, not evaluated yet
  const [table] = buildResultTables(experiment, await readRunRecords(experiment.runs));
  t.deepEqual(table!.columns.map((c) => [c.label, c.paper]), [['1', '1'], ['long', '800']]);
  t.deepEqual(table!.rows.map((r) => [r.kind, r.label]), [['runs', 'SP'], ['runs', 'AP'], ['difference', 'SP − AP']]);
  const [sp, ap, diff] = table!.rows;
  t.deepEqual(sp!.cells[0], { ours: { mean: 62, std: Math.sqrt(8), n: 2 }, paper: 80 });
  t.is(sp!.cells[1]!.ours!.mean, 70);
  t.is(sp!.cells[1]!.status, '1 of 2 runs; running (step 4/10)');
  t.is(sp!.cells[1]!.paper, 86.56);
  t.deepEqual(ap!.cells[1], { status: 'not evaluated, not run', paper: 82.41 });
  t.is(diff!.cells[0]!.ours!.mean, 62 - 64);
  t.is(diff!.cells[0]!.paper, 1.5);
  t.is(diff!.cells[1]!.status, 'needs both');
  t.is(diff!.cells[1]!.paper, 4.15);
  t.deepEqual(table!.verdict, ['SP does not beat AP in 1 of 1 cell measured at cpu scale: 1 −2.00.']);
  t.is(table!.missing.length, 3);
});

// ---- baselines: random init ----

test('baselines: [random-init] adds one baseline per backbone configuration and seed, with a stable id', (t) => {
  const expanded = expandExperiment(spec({ baselines: ['random-init'] }), options());
  const runs = expanded.runs.filter((r) => !r.baseline);
  const baselines = expanded.runs.filter((r) => r.baseline);
  t.is(runs.length, 16);
  t.deepEqual(expanded.runs.slice(0, 16), runs, 'the pre-training runs first, in grid order');
  t.is(baselines.length, 2, 'both methods share the backbone: one baseline per seed');
  const [s0, s1] = baselines;
  t.regex(s0!.id, /^random-init-resnet18-s0-[0-9a-f]{8}$/);
  t.regex(s1!.id, /^random-init-resnet18-s1-[0-9a-f]{8}$/);
  t.is(s0!.runDir, `/runs/grid-cpu/${s0!.id}`);
  t.is(s0!.label, 'random init seed 0');
  t.deepEqual(s0!.axes, { seed: '0' }, 'the labels all its runs share');
  t.deepEqual(s0!.baseline, { kind: 'random-init', runs: runs.filter((r) => r.axes.seed === '0').map((r) => r.id), architecture: '' });
  t.deepEqual(s0!.evaluations.map((e) => e.name), ['knn', 'linear-shifted'], 'every evaluation of the experiment');
  t.is(s0!.config.seed, 0);
  t.is(s0!.config.backboneOptions.width, 4);
  // The id hashes the backbone configuration, not the grid: it stays when the grid grows or a method goes.
  const wider = expandExperiment(spec({ baselines: ['random-init'], grid: { ...spec().grid, epochs: [1, 2, { label: 'long', epochs: 3, paper: '800' }] } }), options());
  t.deepEqual(wider.runs.filter((r) => r.baseline).map((r) => r.id), [s0!.id, s1!.id]);
  const byol = expandExperiment(spec({ baselines: ['random-init'] }), options({ methods: ['byol'], overrides: { backend: 'cpu' } }));
  t.deepEqual(byol.runs.filter((r) => r.baseline).map((r) => r.id), [s0!.id, s1!.id]);
  // Without the option, no baseline.
  t.false(expandExperiment(spec(), options()).runs.some((r) => r.baseline));

  // A backbone that differs by method: a baseline of its own, named by what differs.
  const two = expandExperiment(spec({ baselines: ['random-init'], grid: { ...spec().grid, seeds: undefined }, methodSettings: { byol: { backboneOptions: { width: 8 } } } }), options());
  const pair = two.runs.filter((r) => r.baseline);
  t.deepEqual(pair.map((r) => [r.label, r.baseline!.architecture, r.axes]), [
    ['random init (width=4)', 'width=4', { method: 'simclr' }],
    ['random init (width=8)', 'width=8', { method: 'byol' }],
  ]);
  t.deepEqual(pair[0]!.baseline!.runs, two.runs.filter((r) => !r.baseline && r.axes.method === 'simclr').map((r) => r.id));
  t.is(pair[0]!.id, s0!.id, 'the same backbone configuration as in the grid above: the same id');
});

test('a bad baselines value is one line naming the key', (t) => {
  const bad = (value: unknown, pattern: RegExp) => userErrorLine(t, () => expandExperiment(value, options()), pattern);
  bad({ ...spec(), baselines: 'random-init' }, /test\.yaml: baselines must be a list of baselines \(random-init\), got "random-init" — write e\.g\. baselines: \[random-init\], or leave it out/);
  bad({ ...spec(), baselines: ['supervised'] }, /test\.yaml: baselines\[0\] is not a baseline \("supervised"\) — use one of: random-init/);
  bad({ ...spec(), baselines: ['random-init', 'random-init'] }, /baselines\[1\] repeats 'random-init'/);
  bad({ ...spec(), baselines: ['random-init'], evaluations: [] }, /baselines needs evaluations to run on the untrained backbones, and the experiment has none — add evaluations, or leave baselines out/);
  bad({ ...spec(), baseline: ['random-init'] }, /key 'baseline' is unknown — use one of: .*baselines/);
});

/** Writes a baseline's random-init result, as reproduce does. */
async function fakeBaseline(runDir: string, metrics: Record<string, Record<string, number>>): Promise<void> {
  await mkdir(join(runDir, 'eval'), { recursive: true });
  await writeFile(join(runDir, 'baseline.json'), JSON.stringify({ kind: 'random-init' }));
  for (const [name, m] of Object.entries(metrics)) {
    await writeFile(join(runDir, 'eval', `${name}-random.json`), JSON.stringify({ evaluator: 'knn', options: {}, randomInit: true, checkpoint: null, metrics: m }));
  }
}

test('results tables: a random init row after the runs, never in a difference, without the paper’s number; pre-trained cells below it named', async (t) => {
  const runsDir = await mkdtemp(join(tmpdir(), 'sempair-baseline-'));
  const experiment = expandExperiment(
    spec({
      evaluations: ['knn'],
      baselines: ['random-init'],
      grid: SP_AP_BY_EPOCHS,
      tables: [byEpochsTable({ ...PAPER_BY_EPOCHS, 'random init': { '1': 30, '800': 30 } })],
    }),
    options({ invocation: { experiment: 'x', data: {}, runsDir } }),
  );
  const at = (pairs: string, epochs: string, seed: string) => experiment.runs.find((r) => r.axes.pairs === pairs && r.axes.epochs === epochs && r.axes.seed === seed)!.runDir;
  const baseline = (seed: number) => experiment.runs.find((r) => r.baseline && r.config.seed === seed)!;
  const sp = { '1': [60, 64], long: [70, 72] };
  const ap = { '1': [56, 58], long: [66, 66] };
  for (const [epochs, [a, b]] of Object.entries(sp)) {
    await fakeRun(at('SP', epochs, '0'), 'completed', { knn: { top1: a! } });
    await fakeRun(at('SP', epochs, '1'), 'completed', { knn: { top1: b! } });
  }
  for (const [epochs, [a, b]] of Object.entries(ap)) {
    await fakeRun(at('AP', epochs, '0'), 'completed', { knn: { top1: a! } });
    await fakeRun(at('AP', epochs, '1'), 'completed', { knn: { top1: b! } });
  }
  const tables = async () => buildResultTables(experiment, await readRunRecords(experiment.runs));

  // Not run yet: the row says so, the table lists them as missing, no note.
  let [table] = await tables();
  t.deepEqual(table!.rows.map((r) => [r.kind, r.label]), [['runs', 'SP'], ['runs', 'AP'], ['difference', 'SP − AP'], ['baseline', 'random init']]);
  t.deepEqual(table!.rows[3]!.cells, [{ status: 'not run' }, { status: 'not run' }]);
  t.deepEqual(table!.missing.map((m) => m.label), ['random init seed 0', 'random init seed 1']);
  t.deepEqual(table!.verdict, ['SP beats AP in both cells measured at cpu scale.']);

  // Random init below every pre-trained cell: seeds averaged, the same number in every epochs column.
  await fakeBaseline(baseline(0).runDir, { knn: { top1: 40 } });
  await fakeBaseline(baseline(1).runDir, { knn: { top1: 44 } });
  [table] = await tables();
  const row = table!.rows.find((r) => r.kind === 'baseline')!;
  t.deepEqual(row.cells, [{ ours: { mean: 42, std: Math.sqrt(8), n: 2 } }, { ours: { mean: 42, std: Math.sqrt(8), n: 2 } }], 'no paper number, even where the paper table has the key');
  t.deepEqual(table!.rows.map((r) => r.kind), ['runs', 'runs', 'difference', 'baseline'], 'no difference row for it');
  t.deepEqual(table!.missing, []);
  t.deepEqual(table!.verdict, ['SP beats AP in both cells measured at cpu scale.', 'Pre-training beats random init in all 4 cells measured at cpu scale.']);

  // Random init above some: those cells are named, with both numbers.
  await fakeBaseline(baseline(0).runDir, { knn: { top1: 57 } });
  await fakeBaseline(baseline(1).runDir, { knn: { top1: 59 } });
  [table] = await tables();
  t.is(table!.verdict[1], 'Below random init at cpu scale: 1 of 4 pre-trained cells — AP (epochs 1 57.00 vs 58.00).');
  await fakeBaseline(baseline(0).runDir, { knn: { top1: 80 } });
  await fakeBaseline(baseline(1).runDir, { knn: { top1: 80 } });
  [table] = await tables();
  t.is(table!.verdict[1], 'Below random init at cpu scale: all 4 pre-trained cells — SP (epochs 1 62.00 vs 80.00, epochs long 71.00 vs 80.00); AP (epochs 1 57.00 vs 80.00, epochs long 66.00 vs 80.00).');
  // Back below every run: the note goes.
  await fakeBaseline(baseline(0).runDir, { knn: { top1: 10 } });
  await fakeBaseline(baseline(1).runDir, { knn: { top1: 10 } });
  [table] = await tables();
  t.false(table!.verdict.some((v) => v.includes('Below random init')));

  // A result of the same name that is not a random-init one is not the baseline's.
  await writeFile(join(baseline(0).runDir, 'eval', 'knn-random.json'), JSON.stringify({ evaluator: 'knn', options: {}, randomInit: false, metrics: { top1: 99 } }));
  [table] = await tables();
  t.deepEqual(table!.rows[3]!.cells[0], { ours: { mean: 10, n: 1 }, status: '1 of 2 runs; not evaluated' });
});

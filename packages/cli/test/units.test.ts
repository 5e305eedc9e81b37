// The CLI's pure pieces: progress throttling and formatting, the comparisons of
// `reproduce`, its --jobs default and run sessions, error lines, and config file discovery.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, UserError, type ProgressEvent } from '@sempair/core';
// @ts-expect-error plain-JS example plugin, no type declarations
import { alignUniformLoss } from '../../../examples/plugin-example/index.js';
import { loadConfigFile } from '../src/config/load-config.js';
import { describeError } from '../src/errors.js';
import { kebab } from '../src/eval/schema-flags.js';
import { formatDuration, formatProgress } from '../src/progress/format.js';
import { throttleProgress } from '../src/progress/throttle.js';
import { compare, type RunOutcome } from '../src/reproduce/comparison.js';
import { chooseJobs } from '../src/reproduce/jobs.js';
import { RunSession, type Executor } from '../src/reproduce/run-session.js';
import type { RunEvent, RunWork } from '../src/reproduce/run-work.js';

const event = (step: number, epoch: number, steps = 10): ProgressEvent => ({ phase: 'pretrain', step, steps, epoch, epochs: 2, loss: 1 / step });

test('throttle passes the first event, the last of each epoch and the final one', (t) => {
  const seen: number[] = [];
  const listener = throttleProgress((e) => seen.push(e.step), 60_000);
  for (let step = 1; step <= 5; step++) listener(event(step, 1));
  for (let step = 6; step <= 10; step++) listener(event(step, 2));
  listener.flush();
  t.deepEqual(seen, [1, 5, 6, 10]);
});

test('progress line and durations', (t) => {
  t.is(formatDuration(42), '42s');
  t.is(formatDuration(185), '3m05s');
  t.is(formatDuration(3725), '1h02m');
  t.is(
    formatProgress({ phase: 'pretrain', epoch: 3, epochs: 10, step: 120, steps: 400, loss: 4.12345, imagesPerSecond: 850.4, etaSeconds: 65 }),
    'epoch 3/10 · step 120/400 · loss 4.1235 · 850 img/s · ETA 1m05s',
  );
});

test('comparison: SP − AP in percentage points, top-1 and top-5 only', (t) => {
  const outcomes: RunOutcome[] = [
    { id: 'sp', label: 'SP', runDir: '/r/sp', status: 'completed', evaluations: { linear: { metrics: { top1: 61.25, top5: 95.5, loss: 1.1 } } } },
    { id: 'ap', label: 'AP', runDir: '/r/ap', status: 'completed', evaluations: { linear: { metrics: { top1: 58, top5: 96, loss: 1.3 } } } },
  ];
  const comparison = compare(outcomes, ['linear'], { a: 'SP', b: 'AP' })!;
  t.deepEqual(comparison.differences, { linear: { top1: 3.25, top5: -0.5 } });
});

test('error lines: UserError keeps its fix, anything unexpected points to --debug', (t) => {
  t.deepEqual(describeError(new UserError('unknown method x', 'use one of: simclr'), 'pretrain'), {
    line: 'unknown method x — use one of: simclr',
    exitCode: 1,
  });
  const bug = describeError(new TypeError('cannot read properties of undefined\n  more'), 'pretrain');
  t.is(bug.line, 'cannot read properties of undefined more — unexpected error; re-run with --debug to see the stack trace');
  t.is(describeError(new Error('Parsing --lr \n\tExpected a number but received: x\nSee more help with --help'), 'pretrain').line, "--lr: expected a number but received: x — see 'sempair pretrain --help'");
});

test('config discovery stops at the project root and reads the CLI keys', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'sempair-config-'));
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'p', sempair: { epochs: 2, runsDir: 'out', eval: 'linear,knn', evaluators: { knn: { k: 5 } } } }));
  await mkdir(join(root, 'sub', 'deeper'), { recursive: true });
  const found = await loadConfigFile(undefined, join(root, 'sub', 'deeper'));
  t.is(found.path, join(root, 'package.json'));
  t.deepEqual(found.run, { epochs: 2 });
  t.is(found.runsDir, 'out');
  t.deepEqual(found.eval, ['linear', 'knn']);
  t.deepEqual(found.evaluators, { knn: { k: 5 } });
  const none = await loadConfigFile(undefined, await mkdtemp(join(tmpdir(), 'sempair-none-')));
  t.deepEqual(none, { path: undefined, run: {}, evaluators: {} });
});

test('schema option names become kebab-case flags', (t) => {
  t.is(kebab('batchSize'), 'batch-size');
  t.is(kebab('k'), 'k');
  t.is(kebab('projHiddenDim'), 'proj-hidden-dim');
});

test('example plugin: alignment + uniformity against a hand computation', async (t) => {
  await initBackend('cpu');
  // Rows 0/2 and 1/3 are positives and identical; the two groups are orthogonal.
  const z = tf.tensor2d([[2, 0], [0, 3], [1, 0], [0, 1]]);
  const ids = tf.tensor1d([0, 1, 0, 1], 'int32');
  const { loss, align, uniformity } = alignUniformLoss(tf, z, ids, { t: 2, weight: 0.5 });
  // Off-diagonal squared distances: 4 pairs at 0 (positives), 8 at ||e1 − e2||² = 2.
  const expectedUniformity = Math.log((4 + 8 * Math.exp(-4)) / 12);
  t.true(Math.abs((await align.data())[0]!) < 1e-6);
  t.true(Math.abs((await uniformity.data())[0]! - expectedUniformity) < 1e-5);
  t.true(Math.abs((await loss.data())[0]! - 0.5 * expectedUniformity) < 1e-5);
  tf.dispose([z, ids, loss, align, uniformity]);
});

test('--jobs default: one per core on single-threaded backends, 1 on native ones; --jobs capped by the runs', async (t) => {
  const wasm = async () => ({ name: 'wasm', threads: 1 });
  const native = async () => ({ name: 'tensorflow', threads: 8 });
  const never = async (): Promise<never> => {
    throw new Error('the backend is not needed');
  };
  t.like(await chooseJobs({ requested: undefined, runs: 2, backend: 'auto', cores: 2, probe: wasm }), { jobs: 2, requested: null, backend: { name: 'wasm', threads: 1 } });
  t.like(await chooseJobs({ requested: undefined, runs: 3, backend: 'auto', cores: 2, probe: wasm }), { jobs: 2 });
  t.like(await chooseJobs({ requested: undefined, runs: 2, backend: 'auto', cores: 16, probe: wasm }), { jobs: 2 });
  t.like(await chooseJobs({ requested: undefined, runs: 2, backend: 'cpu', cores: 1, probe: async () => ({ name: 'cpu', threads: 1 }) }), { jobs: 1 });
  t.like(await chooseJobs({ requested: undefined, runs: 2, backend: 'auto', cores: 16, probe: native }), { jobs: 1, backend: { name: 'tensorflow', threads: 8 } });
  t.like(await chooseJobs({ requested: undefined, runs: 1, backend: 'auto', cores: 16, probe: never }), { jobs: 1, backend: null });
  t.like(await chooseJobs({ requested: undefined, runs: 4, backend: 'webgpu', cores: 16, probe: async () => ({ name: 'webgpu', threads: 1 }) }), { jobs: 1, backend: { name: 'webgpu' } });
  t.like(await chooseJobs({ requested: 4, runs: 2, backend: 'auto', cores: 1, probe: never }), { jobs: 2, requested: 4 });
  t.like(await chooseJobs({ requested: 1, runs: 2, backend: 'auto', cores: 8, probe: never }), { jobs: 1, requested: 1, reason: '--jobs 1' });
});

const work: RunWork = {
  id: 'sp',
  label: 'SP',
  runDir: '/nowhere/sp',
  config: {} as RunWork['config'],
  pretrain: true,
  resume: false,
  evaluations: [{ evaluator: 'knn', options: {}, requested: {} }],
};
const newOutcome = (): RunOutcome => ({ id: 'sp', label: 'SP', runDir: '/nowhere/sp', status: 'new', evaluations: {} });
const pretrained: RunEvent = {
  type: 'pretrain',
  task: 'pretrain',
  // NaN arrives as null from a child.
  result: { runDir: '/nowhere/sp', steps: 10, epochs: 2, finalLoss: null as unknown as number, status: 'completed', backend: 'wasm' },
};
const quietControl = { setTitle: () => {}, say: () => {} };

test('run session: events reach their task and the outcome; a crash fails the task that waits', async (t) => {
  const seen: number[] = [];
  const complete: Executor = async (_work, emit) => {
    emit({ type: 'progress', task: 'pretrain', phase: 'pretrain', step: 5, steps: 10 });
    emit(pretrained);
    emit({ type: 'progress', task: 'eval:knn', phase: 'features', step: 1, steps: 1 });
    emit({ type: 'evaluation', task: 'eval:knn', evaluator: 'knn', result: { metrics: { top1: 50 } } });
  };
  const outcome = newOutcome();
  const session = new RunSession(work, outcome, complete, new AbortController().signal);
  t.false(session.isStarted);
  const end = await session.follow('pretrain', (e) => seen.push(e.step), quietControl);
  t.is(end.type, 'pretrain');
  t.like(outcome, { status: 'completed', steps: 10 });
  t.true(Number.isNaN(outcome.finalLoss));
  await session.follow('eval:knn', (e) => seen.push(e.step), quietControl);
  t.deepEqual(seen, [5, 1]);
  t.deepEqual(outcome.evaluations.knn, { metrics: { top1: 50 } });
  await session.done();
  t.is(outcome.error, undefined);

  const crashing: Executor = async (_work, emit) => {
    emit({ type: 'progress', task: 'pretrain', phase: 'pretrain', step: 1, steps: 10 });
    throw new Error('its process was killed (SIGKILL)');
  };
  const crashed = newOutcome();
  const failing = new RunSession(work, crashed, crashing, new AbortController().signal);
  await t.throwsAsync(failing.follow('pretrain', () => {}, quietControl), { message: 'its process was killed (SIGKILL)' });
  t.like(crashed, { status: 'failed', error: 'its process was killed (SIGKILL)' });

  const evalFails: Executor = async (_work, emit) => {
    emit(pretrained);
    emit({ type: 'error', task: 'eval:knn', message: 'no such dataset — pick another' });
  };
  const half = newOutcome();
  const partial = new RunSession(work, half, evalFails, new AbortController().signal);
  await partial.follow('pretrain', () => {}, quietControl);
  await t.throwsAsync(partial.follow('eval:knn', () => {}, quietControl), { message: 'no such dataset — pick another' });
  t.like(half, { status: 'completed', error: 'no such dataset — pick another' });
});

test('runCommand: the one command line of a planned run, quoted for a shell', async (t) => {
  const { runCommand, runCommandLine } = await import('../src/reproduce/run-command.js');
  const invocation = { experiment: 'table1', scale: 'paper', data: { stl10: '/data/my stl10', cifar10: '/d/c' }, runsDir: '/runs', methods: ['simclr', 'byol'], backend: 'wasm' };
  t.deepEqual(runCommand(invocation, 'sp-e200-1234abcd'), [
    'reproduce', 'table1', '--scale', 'paper', '--data', 'stl10=/data/my stl10,cifar10=/d/c', '--methods', 'simclr,byol', '--backend', 'wasm', '--runs-dir', '/runs', '--run', 'sp-e200-1234abcd',
  ]);
  t.is(
    runCommandLine({ experiment: "/it's/exp.yaml", data: {}, runsDir: '/runs', epochs: 2 }, 'x-1'),
    "sempair reproduce '/it'\\''s/exp.yaml' --epochs 2 --runs-dir /runs --run x-1",
  );
});

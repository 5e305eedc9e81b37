// A backend that breaks mid-run (lost GPU device, out of memory) stops the run as
// 'failed-backend' with the last good checkpoint intact. The failure is injected into a cpu
// kernel, the way a GPU backend fails: either the kernel throws, or the backend reports the
// failure (as WebGPU's device.lost does) while the kernel goes on returning numbers.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { asBackendFailure, backendFailure, initBackend, reportBackendFailure } from '../src/backend/index.js';
import { clearBackendFailure } from '../src/backend/backend-failure.js';
import { listCheckpoints, loadCheckpoint } from '../src/runs/checkpoint.js';
import { readMetrics, readRunStatus } from '../src/runs/run-dir.js';
import { pretrain } from '../src/train/pretrain.js';
import { resolveRunConfig } from '../src/train/run-config.js';
import { fixtureRegistry, fixtureRun, progressOf } from './training-fixture.js';

type Injection = 'throw-oom' | 'report-lost' | 'throw-bug';

/** Runs `body` with cpu's Square kernel failing at `step` as `how` says, then restores it. */
async function withFailingSquare<T>(step: number, how: Injection, body: () => Promise<T>): Promise<T> {
  await initBackend('cpu');
  const stock = tf.getKernel(tf.Square, 'cpu')!;
  tf.unregisterKernel(tf.Square, 'cpu');
  tf.registerKernel({
    ...stock,
    kernelFunc: (args) => {
      if (progressOf.step === step) {
        if (how === 'throw-oom') throw new Error('Failed to allocate 268435456 bytes: out of memory');
        if (how === 'throw-bug') throw new Error('shapes [3] and [4] do not match');
        reportBackendFailure('cpu', 'the GPU device was lost (unknown): simulated');
      }
      return stock.kernelFunc(args);
    },
  });
  try {
    return await body();
  } finally {
    tf.unregisterKernel(tf.Square, 'cpu');
    tf.registerKernel(stock);
    progressOf.step = -1;
  }
}

async function runDir(label: string): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), `sempair-${label}-`)), 'run');
}

for (const [how, reason] of [
  ['throw-oom', /the cpu backend failed: Failed to allocate 268435456 bytes: out of memory at step 4/],
  ['report-lost', /the cpu backend failed: the GPU device was lost \(unknown\): simulated at step 4/],
] as const) {
  test.serial(`a backend failure (${how}) stops the run as failed-backend and keeps the last good checkpoint`, async (t) => {
    const registry = fixtureRegistry();
    const config = resolveRunConfig([fixtureRun], registry);
    const dir = await runDir(how);
    const result = await withFailingSquare(4, how, () => pretrain(config, registry, { runDir: dir }));
    t.is(result.status, 'failed-backend');
    t.regex(result.message!, reason);
    t.regex(result.message!, /kept the last good checkpoint step-00000003; resume with --resume /);
    // Epoch 1 (steps 0–2) was saved; step 3 trained; step 4 failed and was not applied or logged.
    t.deepEqual(await listCheckpoints(join(dir, 'checkpoints')), ['step-00000003']);
    const status = (await readRunStatus(dir))!;
    t.is(status.state, 'failed-backend');
    t.is(status.checkpoint, 'step-00000003');
    t.regex(status.message!, reason);
    t.deepEqual((await readMetrics(dir)).map((m) => m.step), [1, 2, 3, 4]);
    const { tensors } = await loadCheckpoint(join(dir, 'checkpoints', 'step-00000003'));
    for (const tensor of Object.values(tensors)) t.true((await tensor.data()).every(Number.isFinite));
    tf.dispose(Object.values(tensors));

    // The next initialisation starts clean and the run resumes from its checkpoint to the end.
    const resumed = await pretrain(config, registry, { runDir: dir, resume: true });
    t.is(backendFailure(), undefined);
    t.is(resumed.status, 'completed');
    t.is(resumed.steps, 9);
  });
}

test.serial('an ordinary error (a bug, not the backend) still fails the run and is rethrown', async (t) => {
  const registry = fixtureRegistry();
  const config = resolveRunConfig([fixtureRun], registry);
  const dir = await runDir('bug');
  await t.throwsAsync(withFailingSquare(4, 'throw-bug', () => pretrain(config, registry, { runDir: dir })), { message: /do not match/ });
  t.is((await readRunStatus(dir))!.state, 'failed');
  t.deepEqual(await listCheckpoints(join(dir, 'checkpoints')), ['step-00000003']);
});

test.serial('status.json records the backend asked for, the one used and why', async (t) => {
  const registry = fixtureRegistry();
  const config = resolveRunConfig([fixtureRun], registry);
  const dir = await runDir('status');
  const controller = new AbortController();
  await pretrain(config, registry, { runDir: dir, signal: controller.signal, progress: (e) => e.step === 3 && controller.abort() });
  const status = JSON.parse(await readFile(join(dir, 'status.json'), 'utf8'));
  t.is(status.backendRequested, 'cpu');
  t.is(status.backend, 'cpu');
  t.regex(status.backendReason, /requested explicitly: @tensorflow\/tfjs-backend-cpu/);
  t.is(status.backendChanges, undefined);

  // Resuming on another backend changes the numbers; the status says from which step.
  const onWasm = resolveRunConfig([{ ...fixtureRun, backend: 'wasm' }], registry);
  t.is((await pretrain(onWasm, registry, { runDir: dir, resume: true })).status, 'completed');
  const resumed = JSON.parse(await readFile(join(dir, 'status.json'), 'utf8'));
  t.is(resumed.backend, 'wasm');
  t.deepEqual(resumed.backendChanges, [{ step: 3, from: 'cpu', to: 'wasm' }]);
});

test.serial('errors are told apart: out of memory and lost devices are backend failures, bugs are not', (t) => {
  const cases: Array<[string, string, RegExp | undefined]> = [
    ['tensorflow', 'OOM when allocating tensor with shape[64,512,56,56]', /the tensorflow backend failed: OOM when allocating/],
    ['wasm', 'Cannot enlarge memory arrays to size 4294967296 bytes', /the wasm backend failed: Cannot enlarge memory/],
    ['webgpu', 'Device is lost', /the webgpu backend failed: Device is lost/],
    ['wasm', 'Unknown option foo', undefined],
  ];
  for (const [backend, message, expected] of cases) {
    clearBackendFailure();
    const failure = asBackendFailure(new Error(message), backend);
    if (expected === undefined) t.is(failure, undefined, message);
    else t.regex(failure!.message, expected);
  }
  // Once a failure is recorded, whatever is thrown next is its consequence.
  reportBackendFailure('webgpu', 'the GPU device was lost (unknown): Device is lost');
  t.regex(asBackendFailure(new Error('anything'), 'webgpu')!.message, /Device is lost/);
  clearBackendFailure();
});

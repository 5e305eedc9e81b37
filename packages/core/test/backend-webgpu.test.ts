// The webgpu backend against the cpu backend, on whatever adapter Dawn offers: in CI that is
// Mesa's lavapipe (software Vulkan, installed by .ci/run), which `--backend webgpu` accepts and
// `auto` does not. Without any adapter these tests show as skipped, with the reason.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { applyAugmentStep } from '../src/augment/augment.js';
import type { AugmentStep } from '../src/augment/augmentation.js';
import { resnet18Definition } from '../src/backbones/index.js';
import { backendFailure, initBackend, probeWebgpu, releaseWebgpu } from '../src/backend/index.js';
import { activeWebgpuDevice } from '../src/backend/webgpu-runtime.js';
import { topKAccuracy } from '../src/eval/top-k.js';
import { BatchNorm, Linear, ParameterSet } from '../src/nn/index.js';
import { createOptimizer, DEFAULT_TRAINING } from '../src/optim/index.js';
import { resolveOptions } from '../src/options.js';
import { Rng } from '../src/rng.js';
import { listCheckpoints, loadCheckpoint } from '../src/runs/checkpoint.js';
import { readRunStatus } from '../src/runs/run-dir.js';
import { pretrain } from '../src/train/pretrain.js';
import { resolveRunConfig } from '../src/train/run-config.js';
import { fixtureRegistry, fixtureRun } from './training-fixture.js';

const probe = await probeWebgpu();
const skipped = probe.available ? undefined : `skipped: no WebGPU adapter (${probe.detail})`;
const gpuTest = (title: string, body: Parameters<typeof test.serial>[1]) =>
  skipped === undefined ? test.serial(title, body) : test.skip(`${title} — ${skipped}`, body);

test.after.always(() => releaseWebgpu());

/** Runs `build` on `backend` and reads back every tensor it returns (build draws its own random numbers). */
async function on(backend: 'cpu' | 'webgpu', build: () => tf.Tensor[]): Promise<Float32Array[]> {
  await initBackend(backend);
  const tensors = build();
  const values = await Promise.all(tensors.map(async (x) => Float32Array.from(await x.data())));
  tf.dispose(tensors);
  return values;
}

/** max |a − b| over max |b| (at least 1e-6): the error relative to the reference's scale. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}

function randoms(rng: Rng, shape: number[]): tf.Tensor {
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
}

async function expectClose(t: Parameters<Parameters<typeof test.serial>[1]>[0], build: () => tf.Tensor[], tolerance: number, label: string) {
  const expected = await on('cpu', build);
  const actual = await on('webgpu', build);
  t.is(actual.length, expected.length);
  let worst = 0;
  expected.forEach((e, i) => {
    t.is(actual[i]!.length, e.length);
    const error = relativeError(actual[i]!, e);
    worst = Math.max(worst, error);
    t.true(error < tolerance, `${label} output ${i}: relative error ${error.toExponential(2)} ≥ ${tolerance}`);
  });
  t.log(`${label}: largest relative error ${worst.toExponential(1)}`);
}

gpuTest('--backend webgpu runs on the adapter Dawn offers and reports it', async (t) => {
  const info = await initBackend('webgpu');
  t.is(info.name, 'webgpu');
  t.is(tf.getBackend(), 'webgpu');
  t.is(info.chosen, 'webgpu');
  t.truthy(info.adapter);
  t.regex(info.reason, /requested explicitly: @tensorflow\/tfjs-backend-webgpu 4\.22\.0 on Dawn \(webgpu /);
  t.is(typeof info.adapter!.software, 'boolean');
  if (/llvmpipe/.test(info.adapter!.device)) t.true(info.adapter!.software, 'lavapipe is a software adapter');
  t.is(info.versions['tfjs-backend-webgpu'], '4.22.0');
});

gpuTest('matmul matches the cpu backend (plain, transposed, batched)', async (t) => {
  await expectClose(
    t,
    () => {
      const rng = new Rng(1);
      return [
      tf.matMul(randoms(rng, [33, 65]) as tf.Tensor2D, randoms(rng, [65, 17]) as tf.Tensor2D),
      tf.matMul(randoms(rng, [40, 12]) as tf.Tensor2D, randoms(rng, [9, 40]) as tf.Tensor2D, true, true),
      tf.matMul(randoms(rng, [3, 8, 130]) as tf.Tensor3D, randoms(rng, [3, 130, 5]) as tf.Tensor3D),
      ];
    },
    1e-5,
    'matMul',
  );
});

const convCases: Array<{ batch: number; size: number; cin: number; cout: number; k: number; stride: number; pad: 'same' | 'valid' | number }> = [
  { batch: 2, size: 8, cin: 3, cout: 4, k: 3, stride: 1, pad: 'same' },
  { batch: 2, size: 9, cin: 4, cout: 8, k: 3, stride: 2, pad: 'same' },
  { batch: 1, size: 8, cin: 8, cout: 16, k: 1, stride: 2, pad: 'valid' },
  { batch: 2, size: 11, cin: 3, cout: 5, k: 7, stride: 2, pad: 3 },
  { batch: 3, size: 6, cin: 16, cout: 8, k: 3, stride: 1, pad: 'valid' },
];

gpuTest('conv2d forward and both gradients match the cpu backend', async (t) => {
  for (const [i, c] of convCases.entries()) {
    await expectClose(
      t,
      () => {
        const rng = new Rng(10 + i);
        const x = randoms(rng, [c.batch, c.size, c.size, c.cin]) as tf.Tensor4D;
        const w = randoms(rng, [c.k, c.k, c.cin, c.cout]) as tf.Tensor4D;
        const y = tf.conv2d(x, w, c.stride, c.pad);
        const r = randoms(rng, y.shape);
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r)))([x, w]);
        return [y, dx!, dw!];
      },
      1e-5,
      `conv ${JSON.stringify(c)}`,
    );
  }
});

gpuTest('batch norm (training: batch statistics, gradients, running statistics) matches the cpu backend', async (t) => {
  await expectClose(
    t,
    () => {
      const rng = new Rng(3);
      const params = new ParameterSet();
      const bn = new BatchNorm(params, 'bn', 6);
      bn.gamma!.assign(tf.add(1, tf.mul(0.3, randoms(rng, [6]))) as tf.Tensor1D);
      bn.beta!.assign(tf.mul(0.3, randoms(rng, [6])) as tf.Tensor1D);
      const x = tf.add(tf.mul(randoms(rng, [4, 5, 5, 6]), 2), 0.5);
      const r = randoms(rng, [4, 5, 5, 6]);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(bn.apply(x, true), r)) as tf.Scalar, [bn.gamma!, bn.beta!]);
      const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(bn.apply(input, true), r)))(x);
      const out = [bn.apply(x, true), value, dx, ...Object.values(grads), bn.runningMean.clone(), bn.runningVar.clone(), bn.apply(x, false)];
      params.dispose();
      return out;
    },
    1e-5,
    'batch norm',
  );
});

gpuTest('a ResNet-18 training step (loss, every gradient, updated weights) matches the cpu backend', async (t) => {
  await expectClose(
    t,
    () => {
      const rng = new Rng(0);
      const params = new ParameterSet();
      const net = resnet18Definition.build(resolveOptions(resnet18Definition.options, { width: 4, cifarStem: true }, 'test'), {
        rng: rng.derive('backbone'),
        params: params.scope('backbone'),
        inputShape: [16, 16, 3],
      });
      const head = new Linear(params, 'fc', net.featureDim, 5, rng.derive('head'));
      const trainable = params.trainable();
      const optimizer = createOptimizer({ ...DEFAULT_TRAINING, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4 }, trainable);
      const images = randoms(rng, [4, 16, 16, 3]);
      const labels = tf.oneHot(tf.tensor1d([0, 3, 1, 4], 'int32'), 5);
      const { value, grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(labels, head.apply(net.apply(images, true))) as tf.Scalar,
        trainable.map((p) => p.variable),
      );
      const named = new Map(trainable.map((p) => [p.name, grads[p.variable.name]!]));
      const gradients = trainable.map((p) => named.get(p.name)!.clone());
      optimizer.step(named, 0.1);
      const weights = trainable.map((p) => p.variable.clone());
      const out = [value, ...gradients, ...weights];
      tf.dispose([...named.values(), images, labels]);
      optimizer.dispose();
      params.dispose();
      return out;
    },
    1e-4,
    'resnet step',
  );
});

const augmentSteps: AugmentStep[] = [
  { type: 'crop', size: 12, scale: [0.08, 1], ratio: [0.75, 4 / 3] },
  { type: 'rotate', degrees: 15, p: 1, fill: 'zero' },
  { type: 'rotate', degrees: 15, p: 1, fill: 'reflect' },
  { type: 'jitter', brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2, p: 1 },
  { type: 'grayscale', p: 1 },
  { type: 'blur', sigma: [0.1, 2], p: 1 },
  { type: 'solarize', threshold: 0.5, p: 1 },
  { type: 'flip', p: 1 },
  { type: 'normalize', mean: [0.5, 0.4, 0.3], std: [0.2, 0.3, 0.25] },
];

gpuTest('every augmentation step (crop, rotation, jitter, blur, …) matches the cpu backend', async (t) => {
  const rng = new Rng(4);
  const pixels = Float32Array.from({ length: 4 * 16 * 16 * 3 }, () => rng.next());
  for (const [i, step] of augmentSteps.entries()) {
    await expectClose(t, () => [tf.tidy(() => applyAugmentStep(tf.tensor4d(pixels, [4, 16, 16, 3]), step, new Rng(20 + i)))], 1e-5, `augment ${step.type}`);
  }
});

gpuTest('evaluation reads asynchronously; a synchronous read says what to use instead', async (t) => {
  await initBackend('webgpu');
  const scores = tf.tensor2d([[0.1, 0.7, 0.2], [0.9, 0.05, 0.05], [0.2, 0.3, 0.5]]);
  t.is(await topKAccuracy(scores, new Int32Array([1, 2, 2]), 1), 200 / 3);
  // A matMul result lives on the GPU (small elementwise results may be computed on the CPU).
  const onGpu = tf.matMul(scores, scores, false, true);
  t.throws(() => onGpu.dataSync(), { message: /cannot read GPU data synchronously under Node .*use await tensor\.data\(\)/ });
  tf.dispose([scores, onGpu]);
});

/** A tiny ResNet-18 (width 4) on 16 px views of the fixture images, symmetric augmentation (with rotation). */
function resnetRun(overrides: object = {}) {
  const registry = fixtureRegistry({ imageSize: 16, images: 16 });
  const config = resolveRunConfig(
    [{ ...fixtureRun, backend: 'webgpu', backbone: 'resnet18', backboneOptions: { width: 4 }, augmentation: { size: 16 }, batchSize: 8, epochs: 2, ...overrides }],
    registry,
  );
  return { registry, config };
}

gpuTest('a short training run on webgpu completes, with numTensors flat from step to step', async (t) => {
  const { registry, config } = resnetRun();
  const runDir = join(await mkdtemp(join(tmpdir(), 'sempair-webgpu-')), 'run');
  const counts: number[] = [];
  const result = await pretrain(config, registry, { runDir, progress: () => counts.push(tf.memory().numTensors) });
  t.is(result.status, 'completed');
  t.is(result.backend, 'webgpu');
  t.is(result.steps, 4);
  t.true(Number.isFinite(result.finalLoss));
  t.is(new Set(counts).size, 1, `numTensors per step: ${counts.join(',')}`);
  const status = JSON.parse(await readFile(join(runDir, 'status.json'), 'utf8'));
  t.is(status.backendRequested, 'webgpu');
  t.is(status.backend, 'webgpu');
  t.regex(status.adapter, /, (software|hardware)$/);
});

gpuTest('a GPU device lost mid-run stops it as failed-backend; the checkpoint survives and resumes', async (t) => {
  const { registry, config } = resnetRun({ epochs: 3 });
  const runDir = join(await mkdtemp(join(tmpdir(), 'sempair-webgpu-lost-')), 'run');
  // 2 steps an epoch: step-00000002 is saved, then the device goes away during step 3.
  const result = await pretrain(config, registry, { runDir, progress: (e) => e.step === 3 && activeWebgpuDevice()!.destroy() });
  t.is(result.status, 'failed-backend');
  t.regex(result.message!, /the webgpu backend failed: the GPU device was lost \(destroyed\).* at step 3 .*kept the last good checkpoint step-00000002/);
  t.deepEqual(await listCheckpoints(join(runDir, 'checkpoints')), ['step-00000002']);
  t.is((await readRunStatus(runDir))!.state, 'failed-backend');
  const { tensors } = await loadCheckpoint(join(runDir, 'checkpoints', 'step-00000002'));
  for (const tensor of Object.values(tensors)) t.true((await tensor.data()).every(Number.isFinite));
  tf.dispose(Object.values(tensors));

  // The next run gets a fresh device; the failed one resumes from its checkpoint.
  const resumed = await pretrain(config, registry, { runDir, resume: true });
  t.is(backendFailure(), undefined);
  t.is(resumed.status, 'completed');
  t.is(resumed.steps, 6);
});

// The `native` backend (tfjs cpu + @sempair/backend-native): choosing it, batch norm through its
// fused kernels, a short ResNet training run with no leaks and no fallbacks, and what sempair
// says when the addon is missing. Tests that need the addon show as skipped, with the reason,
// where it did not build.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { addonStatus } from '@sempair/backend-native';
import { resnet18Definition } from '../src/backbones/index.js';
import { computingBackend, initBackend, nativeCpuActive, nativeCpuFallbacks } from '../src/backend/index.js';
import { BatchNorm, Linear, ParameterSet, PreciseBatchNorm } from '../src/nn/index.js';
import { fusedBatchNormAvailable } from '../src/nn/fused-batch-norm.js';
import { createOptimizer, DEFAULT_TRAINING } from '../src/optim/index.js';
import { resolveOptions } from '../src/options.js';
import { Rng } from '../src/rng.js';

const status = addonStatus();
const nativeTest = status.available ? test.serial : test.skip;
const needsAddon = (title: string) => (status.available ? title : `${title} [skipped: ${status.detail}; fix: ${status.fix}]`);

nativeTest(needsAddon('--backend native: tfjs cpu with the native kernels, all cores, recorded as native'), async (t) => {
  const info = await initBackend('native', { threads: 2 });
  t.is(info.chosen, 'native');
  t.is(info.name, 'cpu');
  t.is(tf.getBackend(), 'cpu');
  t.is(info.threads, 2);
  t.regex(info.reason, /^requested explicitly: tfjs cpu \+ native kernels \(oneDNN \d+\.\d+\.\d+ \(\w+\), 2 OpenMP threads, passive wait\)$/);
  t.is(computingBackend(info), 'native');
  t.true(nativeCpuActive());
  t.true(fusedBatchNormAvailable());
  t.is(await initBackend('native', { threads: 2 }), info, 'cached');
  // Plain cpu puts the stock kernels back (and is not mistaken for native by the cache).
  const cpu = await initBackend('cpu');
  t.is(cpu.chosen, 'cpu');
  t.false(nativeCpuActive());
  t.false(fusedBatchNormAvailable());
  t.is(computingBackend(cpu), 'cpu');
});

/** y, the running statistics and the gradients of BatchNorm in training, on the active backend. */
function batchNormOutputs(affine: boolean) {
  const params = new ParameterSet('bn');
  const bn = new BatchNorm(params, 'bn', 6, { affine });
  if (affine) {
    bn.gamma!.assign(tf.randomNormal([6], 1, 0.3, 'float32', 1));
    bn.beta!.assign(tf.randomNormal([6], 0, 0.3, 'float32', 2));
  }
  const x = tf.add(tf.mul(tf.randomNormal([4, 5, 3, 6], 0, 1, 'float32', 3), 2), 1);
  const r = tf.randomNormal([4, 5, 3, 6], 0, 1, 'float32', 4);
  const vars = params.trainable().map((p) => p.variable);
  const loss = (v: tf.Tensor) => tf.sum(tf.mul(bn.apply(v, true), r)) as tf.Scalar;
  // γ and β (when affine) through variableGrads; x through grad. Each call updates the running statistics once.
  const paramGrads = vars.length > 0 ? tf.variableGrads(() => loss(x), vars) : undefined;
  const { value, grad: dx } = tf.valueAndGrad(loss)(x);
  const out = {
    loss: value.dataSync()[0]!,
    dx: Array.from(dx.dataSync()),
    grads: vars.map((v) => Array.from(paramGrads!.grads[v.name]!.dataSync())),
    runningMean: Array.from(bn.runningMean.dataSync()),
    runningVar: Array.from(bn.runningVar.dataSync()),
  };
  tf.dispose([x, r, value, dx, ...(paramGrads ? [paramGrads.value, ...Object.values(paramGrads.grads)] : [])]);
  params.dispose();
  return out;
}

function close(t: import('ava').ExecutionContext, a: number[], b: number[], label: string) {
  t.is(a.length, b.length, label);
  const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i]!) / Math.max(1, Math.abs(b[i]!))));
  t.true(worst < 2e-5, `${label}: ${worst}`);
}

for (const affine of [true, false]) {
  nativeTest(needsAddon(`BatchNorm (${affine ? 'affine' : 'no affine'}) trains through the fused kernels with the composed version's numbers`), async (t) => {
    await initBackend('native');
    t.true(fusedBatchNormAvailable());
    const fused = batchNormOutputs(affine);
    await initBackend('cpu');
    t.false(fusedBatchNormAvailable());
    const composed = batchNormOutputs(affine);
    t.true(Math.abs(fused.loss - composed.loss) < 1e-4 * Math.max(1, Math.abs(composed.loss)));
    close(t, fused.dx, composed.dx, 'dx');
    fused.grads.forEach((g, i) => close(t, g, composed.grads[i]!, `grad ${i}`));
    close(t, fused.runningMean, composed.runningMean, 'running mean');
    close(t, fused.runningVar, composed.runningVar, 'running var');
  });
}

/** Running statistics after PreciseBatchNorm over three batches, on the active backend. */
function preciseStatistics() {
  const params = new ParameterSet('bn');
  const bn = new BatchNorm(params, 'bn', 6);
  const precise = new PreciseBatchNorm();
  for (let k = 0; k < 3; k++) {
    const x = tf.add(tf.mul(tf.randomNormal([2 + k, 5, 3, 6], 0, 1, 'float32', 10 + k), 1 + k), k);
    precise.add(() => bn.apply(x, true));
    x.dispose();
  }
  precise.finish();
  const out = { mean: Array.from(bn.runningMean.dataSync()), variance: Array.from(bn.runningVar.dataSync()) };
  params.dispose();
  return out;
}

nativeTest(needsAddon("PreciseBatchNorm gets the fused kernel's batch statistics: the composed version's averages"), async (t) => {
  await initBackend('native');
  t.true(fusedBatchNormAvailable());
  const fused = preciseStatistics();
  await initBackend('cpu');
  const composed = preciseStatistics();
  close(t, fused.mean, composed.mean, 'mean');
  close(t, fused.variance, composed.variance, 'variance');
  t.true(composed.mean.some((v) => Math.abs(v) > 0.1), 'the statistics moved from 0/1');
});

nativeTest(needsAddon('a short ResNet-18 training run on native: loss falls, tf.memory().numTensors flat, no kernel falls back'), async (t) => {
  await initBackend('native');
  const rng = new Rng(0);
  const params = new ParameterSet();
  const net = resnet18Definition.build(resolveOptions(resnet18Definition.options, { width: 4 }, 'test'), {
    rng: rng.derive('backbone'),
    params: params.scope('backbone'),
    inputShape: [8, 8, 3],
  });
  const head = new Linear(params, 'fc', net.featureDim, 3, rng.derive('head'));
  const trainable = params.trainable();
  const optimizer = createOptimizer({ ...DEFAULT_TRAINING, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4 }, trainable);
  const images = tf.randomNormal([12, 8, 8, 3], 0, 1, 'float32', 5);
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], 'int32'), 3);
  const variables = trainable.map((p) => p.variable);
  const step = () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, head.apply(net.apply(images, true))) as tf.Scalar, variables);
      optimizer.step(grads, 0.05);
      return value;
    });
    const v = loss.dataSync()[0]!;
    loss.dispose();
    return v;
  };
  const first = step();
  const tensors = tf.memory().numTensors;
  const losses: number[] = [];
  for (let i = 0; i < 6; i++) {
    losses.push(step());
    t.is(tf.memory().numTensors, tensors, `step ${i + 2} leaves the tensor count unchanged`);
  }
  t.true(losses.every(Number.isFinite));
  t.true(losses.at(-1)! < first, `loss falls: ${first} → ${losses.join(', ')}`);
  t.deepEqual(nativeCpuFallbacks(), {}, 'every kernel of a ResNet step runs natively');
  tf.dispose([images, labels]);
  optimizer.dispose();
  params.dispose();
});

/** Runs a script against the built core with @sempair/backend-native made unbuilt or missing. */
function withoutAddon(mode: 'unbuilt' | 'missing', script: string) {
  const hook = fileURLToPath(new URL('./fixtures/native-unavailable/register.mjs', import.meta.url));
  const core = new URL('../dist/index.js', import.meta.url).href;
  return spawnSync(process.execPath, ['--import', hook, '--input-type=module', '-e', `const core = await import(${JSON.stringify(core)});\n${script}`], {
    encoding: 'utf8',
    env: { ...process.env, SEMPAIR_TEST_NATIVE: mode },
  });
}

test('an unbuilt addon: --backend native ends in one line naming what is missing and the fix; auto moves on', (t) => {
  const run = withoutAddon(
    'unbuilt',
    `try { await core.initBackend('native'); console.log('no error'); } catch (e) { console.log(core.isUserError(e) ? 'USER ' + e.line : 'OTHER ' + e.message); }
     const auto = await core.initBackend('auto');
     console.log('AUTO ' + auto.chosen + ' | ' + auto.reason);`,
  );
  t.is(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  t.is(
    lines[0],
    "USER backend 'native' is not available: the native addon was not built: oneDNN's headers are not installed — " +
      'sudo apt-get install -y build-essential python3 libdnnl-dev, then node /opt/sempair/backend-native/scripts/build-addon.mjs',
  );
  t.regex(lines[1]!, /^AUTO (wasm|webgpu|tensorflow-gpu|tensorflow) \| .*native skipped \(the native addon was not built: oneDNN's headers are not installed\)/);
});

test('a missing package: the native candidate says so and how to install it', (t) => {
  const run = withoutAddon('missing', `const facts = await core.backendFacts(); console.log(JSON.stringify(facts.candidates.find((c) => c.name === 'native')));`);
  t.is(run.status, 0, run.stderr);
  const native = JSON.parse(run.stdout.trim()) as { available: boolean; detail: string; fix: string };
  t.false(native.available);
  t.is(native.detail, '@sempair/backend-native is not installed');
  t.regex(native.fix, /sudo apt-get install -y build-essential python3 libdnnl-dev && pnpm add @sempair\/backend-native/);
});

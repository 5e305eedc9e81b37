import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { embeddingStd, methodHarness, Registry, resolveOptions } from '@sempair/core';
import hook from '../src/hook.js';
import { vicregDefinition, vicregLoss, vicregPlugin } from '../src/index.js';
import { useCpuBackend } from './backend.js';

test.before(async () => {
  await useCpuBackend();
});

function setup(views = 2, b = 6, options: Record<string, unknown> = {}) {
  return methodHarness(vicregDefinition, { views, batchSize: b, options: { projHiddenDim: 16, projOutputDim: 5, ...options } });
}

const state = { step: 0, epoch: 0, stepsPerEpoch: 1, totalSteps: 1, epochs: 1 };

test('definition: id, REFERENCE.md defaults, vicreg augmentation', (t) => {
  t.is(vicregDefinition.id, 'vicreg');
  t.is(vicregDefinition.augmentation, 'vicreg');
  t.like(resolveOptions(vicregDefinition.options, {}, 'method vicreg'), {
    projHiddenDim: 2048,
    projOutputDim: 2048,
    simWeight: 25,
    varWeight: 25,
    covWeight: 1,
  });
  t.like(vicregDefinition.training, { optimizer: 'lars', lr: 0.3, weightDecay: 1e-4 });
});

test('create: expander Lin→BN→ReLU→Lin→BN→ReLU→Lin under head.projector', (t) => {
  const { root, dispose } = setup();
  const names = root.scope('head').list().map((p) => [p.name, p.variable.shape]);
  const weights = names.filter(([n]) => String(n).endsWith('.weight'));
  t.deepEqual(weights, [
    ['head.projector.0.weight', [6, 16]],
    ['head.projector.1.weight', [16]],
    ['head.projector.3.weight', [16, 16]],
    ['head.projector.4.weight', [16]],
    ['head.projector.6.weight', [16, 5]],
  ]);
  t.true(names.some(([n]) => n === 'head.projector.6.bias'));
  t.true(names.some(([n]) => n === 'head.projector.1.running_mean'));
  dispose();
});

test('loss: scalar equal to vicregLoss on the two branches, metrics, no leaks', (t) => {
  const { method, batch, backbone, ctx, dispose } = setup(2, 6, { simWeight: 10, varWeight: 5, covWeight: 2 });
  method.loss(batch, state); // first call may cache constants
  const before = tf.memory().numTensors;
  const out = method.loss(batch, state);
  t.deepEqual(out.loss.shape, []);
  t.deepEqual(Object.keys(out.metrics ?? {}).sort(), ['covariance', 'invariance', 'variance', 'z_std']);
  for (const v of Object.values(out.metrics!)) t.deepEqual(v.shape, []);
  const loss = out.loss.dataSync()[0]!;
  const m = Object.fromEntries(Object.entries(out.metrics!).map(([k, v]) => [k, v.dataSync()[0]!]));
  tf.dispose([out.loss, ...Object.values(out.metrics!)]);
  t.is(tf.memory().numTensors, before, 'no tensors leak');
  t.true(backbone.modes.every((x) => x), 'backbone runs in training mode');
  t.true(Math.abs(loss - (10 * m.invariance! + 5 * m.variance! + 2 * m.covariance!)) < 1e-4 * Math.max(1, Math.abs(loss)));
  t.true(m.z_std! > 0 && m.z_std! <= 1);

  // Same numbers from the expander applied by hand (training-mode BN, batch statistics).
  const expected = tf.tidy(() => {
    const head = ctx.params;
    const bn = (h: tf.Tensor2D, i: number) => {
      const { mean, variance } = tf.moments(h, 0);
      return tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), head.get(`projector.${i}.weight`)), head.get(`projector.${i}.bias`)) as tf.Tensor2D;
    };
    const lin = (h: tf.Tensor2D, i: number) => tf.add(tf.matMul(h, head.get(`projector.${i}.weight`)), head.get(`projector.${i}.bias`)) as tf.Tensor2D;
    const project = (v: tf.Tensor4D) => {
      let h = backbone.apply(v, true);
      h = tf.relu(bn(lin(h, 0), 1));
      h = tf.relu(bn(lin(h, 3), 4));
      return lin(h, 6);
    };
    const z1 = project(batch.views[0]!);
    const z2 = project(batch.views[1]!);
    const r = vicregLoss(z1, z2, { sim: 10, var: 5, cov: 2 });
    return { loss: r.loss.dataSync()[0]!, zStd: embeddingStd([z1, z2]).dataSync()[0]! };
  });
  t.true(Math.abs(loss - expected.loss) < 1e-4 * Math.max(1, Math.abs(expected.loss)), `${loss} vs ${expected.loss}`);
  t.true(Math.abs(m.z_std! - expected.zStd) < 1e-5);
  dispose();
});

test('gradients reach the backbone and the expander, are finite, no leaks', (t) => {
  const { method, batch, root, dispose } = setup(2, 8);
  const variables = root.trainable().map((p) => p.variable);
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => method.loss(batch, state).loss, variables);
    t.true(Number.isFinite(value.dataSync()[0]!));
    for (const p of root.trainable()) {
      const g = grads[p.variable.name]!;
      t.truthy(g, `gradient for ${p.name}`);
      t.true(g.dataSync().every(Number.isFinite), `finite gradient for ${p.name}`);
    }
    t.true(tf.sum(tf.abs(grads[root.get('backbone.fc.weight').name]!)).dataSync()[0]! > 0);
  });
  t.is(tf.memory().numTensors, before, 'no tensors leak');
  dispose();
});

test('needs two views; a third view is ignored', (t) => {
  const one = setup(1);
  t.throws(() => one.method.loss(one.batch, state), { message: /two views/ });
  one.dispose();
  const three = setup(3);
  const before = tf.memory().numTensors;
  const out = three.method.loss(three.batch, state);
  t.true(Number.isFinite(out.loss.dataSync()[0]!));
  tf.dispose([out.loss, ...Object.values(out.metrics!)]);
  t.is(tf.memory().numTensors, before);
  three.dispose();
});

test('plugin and hook register the method', async (t) => {
  const registry = new Registry();
  registry.use(vicregPlugin);
  t.is(registry.methods.get('vicreg'), vicregDefinition);
  t.is(registry.methods.origin('vicreg'), '@sempair/plugin-vicreg');
  const viaHook = new Registry();
  await hook({ registry: viaHook });
  t.deepEqual(viaHook.plugins(), ['@sempair/plugin-vicreg']);
  t.true(viaHook.methods.has('vicreg'));
});

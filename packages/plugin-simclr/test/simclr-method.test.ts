import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { methodHarness, Registry, resolveOptions } from '@sempair/core';
import hook from '../src/hook.js';
import { simclrDefinition, simclrLoss, simclrPlugin } from '../src/index.js';
import { useCpuBackend } from './backend.js';

test.before(async () => {
  await useCpuBackend();
});

function setup(views = 2, b = 4) {
  return methodHarness(simclrDefinition, { views, batchSize: b, options: { projHiddenDim: 16, projOutputDim: 5 } });
}

test('definition: id, REFERENCE.md defaults, symmetric augmentation', (t) => {
  t.is(simclrDefinition.id, 'simclr');
  t.is(simclrDefinition.augmentation, 'symmetric');
  t.like(resolveOptions(simclrDefinition.options, {}, 'method simclr'), { temperature: 0.2, projHiddenDim: 2048, projOutputDim: 256 });
  t.like(simclrDefinition.training, { optimizer: 'lars', lr: 0.4, weightDecay: 1e-4, larsEta: 0.02, warmupEpochs: 10 });
});

test('create: projector Lin→ReLU→Lin registered under head.projector', (t) => {
  const { root, dispose } = setup();
  t.deepEqual(
    root.scope('head').list().map((p) => [p.name, p.variable.shape, p.role]),
    [
      ['head.projector.0.weight', [6, 16], 'weight'],
      ['head.projector.0.bias', [16], 'bias'],
      ['head.projector.2.weight', [16, 5], 'weight'],
      ['head.projector.2.bias', [5], 'bias'],
    ],
  );
  dispose();
});

test('loss: scalar equal to simclrLoss on the stacked projections, metrics, no leaks', (t) => {
  const { method, batch, backbone, ctx, dispose } = setup();
  const state = { step: 0, epoch: 0, stepsPerEpoch: 1, totalSteps: 1, epochs: 1 };
  method.loss(batch, state); // first call may cache constants
  const before = tf.memory().numTensors;
  const out = method.loss(batch, state);
  t.deepEqual(out.loss.shape, []);
  t.deepEqual(Object.keys(out.metrics ?? {}).sort(), ['neg_cos', 'pos_cos', 'z_std']);
  const loss = out.loss.dataSync()[0]!;
  const metrics = Object.fromEntries(Object.entries(out.metrics!).map(([k, v]) => [k, v.dataSync()[0]!]));
  tf.dispose([out.loss, ...Object.values(out.metrics!)]);
  t.is(tf.memory().numTensors, before, 'no tensors leak');
  t.true(backbone.modes.every((m) => m), 'backbone runs in training mode');

  // Same number from the pieces: view 0's rows first, ids repeated per view.
  const expected = tf.tidy(() => {
    const head = ctx.params;
    const project = (v: tf.Tensor4D) => {
      const h = tf.relu(tf.add(tf.matMul(backbone.apply(v, true), head.get('projector.0.weight')), head.get('projector.0.bias')));
      return tf.add(tf.matMul(h, head.get('projector.2.weight')), head.get('projector.2.bias')) as tf.Tensor2D;
    };
    const z = tf.concat(batch.views.map(project), 0);
    return simclrLoss(z, tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 0.2).dataSync()[0]!;
  });
  t.true(Math.abs(loss - expected) < 1e-6, `${loss} vs ${expected}`);
  t.true(metrics.z_std! > 0 && metrics.z_std! <= 1);
  t.true(metrics.pos_cos! >= -1 && metrics.pos_cos! <= 1 && metrics.neg_cos! >= -1 && metrics.neg_cos! <= 1);
  dispose();
});

test('gradients reach the backbone and the projector; three views work', (t) => {
  const { method, batch, root, dispose } = setup(3, 5);
  const state = { step: 0, epoch: 0, stepsPerEpoch: 1, totalSteps: 1, epochs: 1 };
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

test('plugin and hook register the method', async (t) => {
  const registry = new Registry();
  registry.use(simclrPlugin);
  t.is(registry.methods.get('simclr'), simclrDefinition);
  t.is(registry.methods.origin('simclr'), '@sempair/plugin-simclr');
  const viaHook = new Registry();
  await hook({ registry: viaHook });
  t.deepEqual(viaHook.plugins(), ['@sempair/plugin-simclr']);
  t.true(viaHook.methods.has('simclr'));
});

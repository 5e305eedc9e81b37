import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { methodHarness, Registry } from '@sempair/core';
import hook from '../src/hook.js';
import { byolDefinition, byolLoss } from '../src/index.js';
import { useCpuBackend } from './backend.js';

test.before(async () => {
  await useCpuBackend();
});

function setup(b = 4) {
  return methodHarness(byolDefinition, { batchSize: b, totalSteps: 10, options: { projHiddenDim: 8, projOutputDim: 5, predHiddenDim: 8 } });
}

test('the EMA target backbone and projector are frozen copies of the online ones', async (t) => {
  const { root, dispose } = setup();
  const names = root.list().map((p) => `${p.name}:${p.role}`);
  t.true(names.includes('head.momentum_backbone.fc.weight:buffer'));
  t.true(names.some((n) => n.startsWith('head.momentum_projector.') && n.endsWith(':buffer')));
  t.false(root.trainable().some((p) => p.name.includes('momentum')));
  t.deepEqual(await root.get('head.momentum_backbone.fc.weight').array(), await root.get('backbone.fc.weight').array());
  dispose();
});

test('loss (two byolLoss terms) lies in [0, 8], gradients reach every trainable parameter, no leaks', (t) => {
  const { root, method, batch, state, dispose } = setup();
  const before = tf.memory().numTensors;
  const vars = root.trainable().map((p) => p.variable);
  const { value, grads } = tf.variableGrads(() => {
    const out = method.loss(batch, state);
    tf.dispose(Object.values(out.metrics ?? {}));
    return out.loss;
  }, vars);
  const loss = value.dataSync()[0]!;
  t.true(loss >= 0 && loss <= 8);
  t.is(Object.keys(grads).length, vars.length);
  for (const g of Object.values(grads)) t.true(Array.from(g.dataSync()).every(Number.isFinite));
  tf.dispose([value, ...Object.values(grads)]);
  t.is(tf.memory().numTensors, before);
  dispose();
});

test('afterStep moves the target toward the online network by 1 − τ', async (t) => {
  const { root, method, state, dispose } = setup();
  const online = root.get('backbone.fc.weight');
  const target = root.get('head.momentum_backbone.fc.weight');
  const t0 = (await target.data()) as Float32Array;
  online.assign(tf.add(online, 1));
  method.afterStep!(state);
  const t1 = (await target.data()) as Float32Array;
  // τ at step 0 is the base 0.99: target ← 0.99·target + 0.01·(target + 1).
  t0.forEach((v, i) => t.true(Math.abs(t1[i]! - (v + 0.01)) < 1e-6));
  dispose();
});

test('byolLoss of identical directions is 0 and the hook registers the method', async (t) => {
  const p = tf.tensor2d([[1, 2], [3, 4]]);
  t.true(Math.abs(byolLoss(p, tf.mul(p, 3) as tf.Tensor2D).dataSync()[0]!) < 1e-6);
  const registry = new Registry();
  await hook({ registry });
  t.is(registry.methods.get('byol').id, 'byol');
});

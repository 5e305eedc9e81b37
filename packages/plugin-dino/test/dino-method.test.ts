import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, methodHarness, Registry, type Batch } from '@sempair/core';
import hook from '../src/hook.js';
import { dinoDefinition } from '../src/index.js';

test.before(async () => {
  await initBackend('cpu');
});

const small = { numPrototypes: 7, hiddenDim: 8, bottleneckDim: 5 };

function setup(b = 4, options = {}) {
  return methodHarness(dinoDefinition, { batchSize: b, totalSteps: 10, options: { ...small, ...options } });
}

function step(method: ReturnType<typeof setup>['method'], batch: Batch, state: ReturnType<typeof setup>['state'], vars: tf.Variable[]) {
  const { value, grads } = tf.variableGrads(() => {
    const out = method.loss(batch, state);
    tf.dispose(Object.values(out.metrics ?? {}));
    return out.loss;
  }, vars);
  return { value, grads };
}

test('the teacher backbone and head are frozen copies of the student; the center is a buffer', async (t) => {
  const { root, dispose } = setup();
  const names = root.list().map((p) => `${p.name}:${p.role}`);
  for (const name of [
    'head.head.mlp.0.weight:weight',
    'head.head.mlp.4.bias:bias',
    'head.head.last_layer.weight_v:weight',
    'head.head.last_layer.weight_g:buffer',
    'head.momentum_head.last_layer.weight_v:buffer',
    'head.momentum_backbone.fc.weight:buffer',
    'head.center:buffer',
  ]) {
    t.true(names.includes(name), name);
  }
  t.false(root.trainable().some((p) => p.name.includes('momentum')));
  t.deepEqual(await root.get('head.momentum_backbone.fc.weight').array(), await root.get('backbone.fc.weight').array());
  t.deepEqual(await root.get('head.momentum_head.mlp.2.weight').array(), await root.get('head.head.mlp.2.weight').array());
  t.deepEqual(await root.get('head.momentum_head.last_layer.weight_v').array(), await root.get('head.head.last_layer.weight_v').array());
  // DINOHead init: MLP weights N(0, 0.02²), biases 0, g = 1.
  const w = (await root.get('head.head.mlp.2.weight').data()) as Float32Array;
  const std = Math.sqrt(w.reduce((s, x) => s + x * x, 0) / w.length);
  t.true(std > 0.012 && std < 0.028, `std ${std}`);
  t.true(Array.from(await root.get('head.head.mlp.0.bias').data()).every((x) => x === 0));
  t.true(Array.from(await root.get('head.head.last_layer.weight_g').data()).every((x) => x === 1));
  dispose();
});

test('normLastLayer=false makes the weight norm g trainable', (t) => {
  const { root, dispose } = setup(4, { normLastLayer: false });
  t.true(root.trainable().some((p) => p.name === 'head.head.last_layer.weight_g'));
  dispose();
});

test('loss is finite, gradients reach every trainable parameter, the center moves, no leaks over steps', async (t) => {
  const { root, method, batch, state, dispose } = setup();
  const vars = root.trainable().map((p) => p.variable);
  const center0 = Array.from(await root.get('head.center').data());
  t.true(center0.every((c) => c === 0));
  let before = 0;
  for (let i = 0; i < 3; i++) {
    if (i === 1) before = tf.memory().numTensors;
    const { value, grads } = step(method, batch, { ...state, step: i }, vars);
    t.true(Number.isFinite(value.dataSync()[0]!));
    t.is(Object.keys(grads).length, vars.length);
    for (const g of Object.values(grads)) t.true(Array.from(g.dataSync()).every(Number.isFinite));
    tf.dispose([value, ...Object.values(grads)]);
    method.afterStep!({ ...state, step: i });
  }
  t.is(tf.memory().numTensors, before);
  t.false(Array.from(await root.get('head.center').data()).every((c) => c === 0), 'the center buffer follows the loss');
  method.dispose?.();
  dispose();
});

test('the last layer is frozen during the first epoch only', (t) => {
  const { method, state, dispose } = setup();
  t.deepEqual([...method.frozen!({ ...state, epoch: 0 })].sort(), ['head.head.last_layer.weight_g', 'head.head.last_layer.weight_v']);
  t.is(method.frozen!({ ...state, epoch: 1 }).size, 0);
  dispose();
});

test('afterStep moves the teacher toward the student by 1 − τ (τ = 0.9995 at step 0)', async (t) => {
  const { root, method, state, dispose } = setup();
  const online = root.get('head.head.mlp.0.weight');
  const target = root.get('head.momentum_head.mlp.0.weight');
  const t0 = (await target.data()) as Float32Array;
  online.assign(tf.add(online, 1));
  method.afterStep!(state);
  const t1 = (await target.data()) as Float32Array;
  t0.forEach((v, i) => t.true(Math.abs(t1[i]! - (v + 0.0005)) < 1e-6));
  // The last step reaches τ = 1: the teacher stops moving.
  const before = (await target.data()) as Float32Array;
  online.assign(tf.add(online, 1));
  method.afterStep!({ ...state, step: 10 });
  const after = (await target.data()) as Float32Array;
  before.forEach((v, i) => t.true(Math.abs(after[i]! - v) < 1e-7));
  dispose();
});

test('multi-crop: local crops of a smaller size reach the student only', (t) => {
  const { root, method, state, dispose } = setup(3);
  const views = [4, 4, 2, 2, 2].map((side, v) => tf.randomNormal([3, side, side, 3], 0, 1, 'float32', v) as tf.Tensor4D);
  const batch: Batch = { views, indexes: tf.tensor1d([0, 1, 2], 'int32'), labels: tf.tensor1d([-1, -1, -1], 'int32'), size: 3 };
  const vars = root.trainable().map((p) => p.variable);
  const { value, grads } = step(method, batch, state, vars);
  t.true(Number.isFinite(value.dataSync()[0]!));
  // With 5 student views the loss averages 2·5 − 2 = 8 cross-entropies of P = 7 prototypes: ≤ log-sum bounds hold.
  t.true(value.dataSync()[0]! > 0);
  tf.dispose([value, ...Object.values(grads), ...views, batch.indexes, batch.labels]);
  method.dispose?.();
  dispose();
});

test('the hook registers the method with its ViT training defaults', async (t) => {
  const registry = new Registry();
  await hook({ registry });
  const dino = registry.methods.get('dino');
  t.is(dino.training.optimizer, 'lars');
  t.is(dino.backboneTraining?.[0]?.training.optimizer, 'adamw');
});

test('headBatchNorm puts batch norm after the hidden layers, initialised as PyTorch does (γ 1, β 0)', async (t) => {
  const { root, method, batch, state, dispose } = setup(4, { headBatchNorm: true });
  const names = root.list().map((p) => p.name);
  for (const name of ['head.head.mlp.0.weight', 'head.head.mlp.1.weight', 'head.head.mlp.1.running_var', 'head.head.mlp.3.weight', 'head.head.mlp.6.weight']) {
    t.true(names.includes(name), name);
  }
  t.true(Array.from(await root.get('head.head.mlp.1.weight').data()).every((x) => x === 1));
  t.true(Array.from(await root.get('head.head.mlp.4.bias').data()).every((x) => x === 0));
  const out = method.loss(batch, state);
  t.true(Number.isFinite(out.loss.dataSync()[0]!));
  tf.dispose([out.loss, ...Object.values(out.metrics ?? {})]);
  dispose();
});

import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { emaMomentum, ParameterSet, Rng } from '@sempair/core';
import { buildByolHeads, byolDefaults, byolEmaStep, byolLoss } from '../src/index.js';
import { useCpuBackend } from './backend.js';

test.before(async () => {
  await useCpuBackend();
});

test('EMA momentum follows 1 − (1 − 0.99)·(cos(πk/K) + 1)/2', (t) => {
  const K = 100;
  const close = (a: number, b: number) => t.true(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  close(emaMomentum(0, K, 0.99, 1), 0.99);
  close(emaMomentum(50, K, 0.99, 1), 0.995);
  close(emaMomentum(25, K, 0.99, 1), 1 - 0.01 * (Math.cos(Math.PI / 4) + 1) / 2);
  close(emaMomentum(K, K, 0.99, 1), 1);
  t.is(byolDefaults.emaBase, 0.99);
  t.is(byolDefaults.training.lr, 1.0);
  t.is(byolDefaults.training.weightDecay, 1e-5);
  t.is(byolDefaults.augmentation, 'asymmetric');
});

test('byolEmaStep updates target ← τ·target + (1−τ)·online on numbers', (t) => {
  const target = tf.variable(tf.tensor1d([1, 2, 3]), false);
  const online = tf.tensor1d([3, 0, -1]);
  const tau = byolEmaStep([target], [online], 25, 100);
  const expectedTau = 1 - 0.01 * (Math.cos(Math.PI / 4) + 1) / 2;
  t.true(Math.abs(tau - expectedTau) < 1e-12);
  const got = target.dataSync();
  [1, 2, 3].forEach((v, i) => {
    const want = tau * v + (1 - tau) * [3, 0, -1][i]!;
    t.true(Math.abs(got[i]! - want) < 1e-6, `${got[i]} vs ${want}`);
  });
  // At τ = 1 (last step) the target no longer moves.
  const before = Array.from(target.dataSync());
  byolEmaStep([target], [online], 100, 100);
  t.deepEqual(Array.from(target.dataSync()), before);
  target.dispose();
  online.dispose();
});

test('heads: shapes, roles, target starts as a copy and follows the EMA', (t) => {
  const root = new ParameterSet();
  const head = root.scope('head');
  const heads = buildByolHeads(head, 6, { projHiddenDim: 16, projOutputDim: 8, predHiddenDim: 12 }, new Rng(3));
  const names = head.list().map((p) => `${p.name}:${p.role}`);
  t.true(names.includes('head.projector.0.weight:weight'));
  t.true(names.includes('head.projector.1.running_mean:buffer'));
  t.true(names.includes('head.predictor.3.weight:weight'));
  t.true(head.list().filter((p) => p.name.startsWith('head.momentum_projector.')).every((p) => p.role === 'buffer' && !p.variable.trainable));
  t.false(head.trainable().some((p) => p.name.includes('momentum')));
  // projector 0 (W,b), 1 (γ,β), 3 (W,b): six trainable pairs.
  t.is(heads.projectorVars.length, 6);
  heads.projectorVars.forEach((v, i) => t.deepEqual(Array.from(v.dataSync()), Array.from(heads.targetProjectorVars[i]!.dataSync())));

  // A training step on the online side: the loss does not touch target variables' gradients.
  const x1 = tf.randomNormal([4, 6], 0, 1, 'float32', 1) as tf.Tensor2D;
  const x2 = tf.randomNormal([4, 6], 0, 1, 'float32', 2) as tf.Tensor2D;
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(() =>
    tf.tidy(() => {
      const p1 = heads.predictor.apply(heads.projector.apply(x1, true), true);
      const p2 = heads.predictor.apply(heads.projector.apply(x2, true), true);
      const z1 = heads.targetProjector.apply(x1, true);
      const z2 = heads.targetProjector.apply(x2, true);
      return tf.add(byolLoss(p1, z2), byolLoss(p2, z1)) as tf.Scalar;
    }),
  );
  t.true(Number.isFinite(value.dataSync()[0]!));
  const gradNames = Object.keys(grads);
  t.true(gradNames.length > 0);
  const targetIds = new Set(heads.targetProjectorVars.map((v) => v.name));
  t.false(gradNames.some((n) => targetIds.has(n)));
  // Move the online projector, then EMA the target toward it.
  tf.tidy(() => heads.projectorVars.forEach((v) => v.assign(tf.add(v, 1))));
  const oldTarget = heads.targetProjectorVars.map((v) => Array.from(v.dataSync()));
  const online = heads.projectorVars.map((v) => Array.from(v.dataSync()));
  const tau = byolEmaStep(heads.targetProjectorVars, heads.projectorVars, 0, 10);
  t.is(tau, 0.99);
  heads.targetProjectorVars.forEach((v, i) => {
    const got = v.dataSync();
    for (let k = 0; k < got.length; k++) {
      const want = 0.99 * oldTarget[i]![k]! + 0.01 * online[i]![k]!;
      t.true(Math.abs(got[k]! - want) < 1e-5);
    }
  });
  value.dispose();
  tf.dispose(Object.values(grads));
  t.is(tf.memory().numTensors, before, 'no tensor leak across a step');
  tf.dispose([x1, x2]);
  root.dispose();
});

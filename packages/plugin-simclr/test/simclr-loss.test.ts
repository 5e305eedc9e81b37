import test from 'ava';
import { randomRows } from '@sempair/core';
import * as tf from '@tensorflow/tfjs-core';
import { simclrLoss } from '../src/simclr-loss.js';
import { useCpuBackend } from './backend.js';

test.before(async () => {
  await useCpuBackend();
});

/**
 * solo-learn's simclr_loss_func in float64 with plain loops:
 * −mean_i log(Σ_pos sim / (Σ_pos sim + Σ_neg sim)), sim = exp(cos/τ), self excluded,
 * anchors without a positive left out of the mean (sempair's documented choice).
 */
function referenceLoss(z: ArrayLike<number>, n: number, d: number, ids: ArrayLike<number>, tau: number): number {
  const zn = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let k = 0; k < d; k++) norm += z[i * d + k]! ** 2;
    norm = Math.max(Math.sqrt(norm), 1e-12);
    for (let k = 0; k < d; k++) zn[i * d + k] = z[i * d + k]! / norm;
  }
  let total = 0;
  let anchors = 0;
  for (let i = 0; i < n; i++) {
    let pos = 0;
    let neg = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let dot = 0;
      for (let k = 0; k < d; k++) dot += zn[i * d + k]! * zn[j * d + k]!;
      const sim = Math.exp(dot / tau);
      if (ids[i] === ids[j]) pos += sim;
      else neg += sim;
    }
    if (pos === 0) continue;
    total += -Math.log(pos / (pos + neg));
    anchors++;
  }
  return anchors ? total / anchors : 0;
}

function check(t: import('ava').ExecutionContext, n: number, d: number, ids: number[], tau: number, seed: number, scale = 1) {
  const data = randomRows(n, d, seed).map((v) => v * scale);
  const expected = referenceLoss(data, n, d, ids, tau);
  const before = tf.memory().numTensors;
  const z = tf.tensor2d(data, [n, d]);
  const idx = tf.tensor1d(ids, 'int32');
  const loss = tau === 0.1 ? simclrLoss(z, idx) : simclrLoss(z, idx, tau);
  const got = loss.dataSync()[0]!;
  t.deepEqual(loss.shape, []);
  tf.dispose([z, idx, loss]);
  t.is(tf.memory().numTensors, before, 'no tensors leak');
  t.true(Number.isFinite(expected));
  t.true(Math.abs(got - expected) / Math.abs(expected) < 1e-5, `got ${got}, reference ${expected}`);
}

/** ids for `views` views of `b` items: view 0's rows first. */
const repeat = (base: number[], views: number): number[] => Array.from({ length: views }, () => base).flat();
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test('NT-Xent (unique ids, 2 views) matches the float64 reference', (t) => {
  check(t, 32, 16, repeat(range(16), 2), 0.1, 1);
  check(t, 32, 16, repeat(range(16), 2), 0.2, 2);
  check(t, 64, 8, repeat(range(32), 2), 0.5, 3);
});

test('several positives per anchor (class ids) match the reference', (t) => {
  check(t, 48, 16, repeat(range(24).map((i) => i % 5), 2), 0.1, 4);
  check(t, 40, 12, repeat(range(20).map((i) => (i * 7) % 3), 2), 0.2, 5);
});

test('three views match the reference', (t) => {
  check(t, 30, 16, repeat(range(10), 3), 0.1, 6);
  check(t, 36, 8, repeat(range(12).map((i) => i % 4), 3), 0.2, 7);
});

test('stable where exp(cos/τ) overflows float32 (τ = 0.005)', (t) => {
  // cos/τ reaches 200 > log(float32 max) ≈ 88.7: the naive formula gives inf/inf = NaN.
  check(t, 24, 4, repeat(range(12), 2), 0.005, 8);
});

test('scale of z does not matter (rows are L2-normalised)', (t) => {
  check(t, 20, 8, repeat(range(10), 2), 0.1, 9, 1e3);
  check(t, 20, 8, repeat(range(10), 2), 0.1, 9, 1e-3);
});

test('anchors without a positive are left out of the mean', (t) => {
  // ids 100 and 101 occur once: those two anchors are dropped, the others kept.
  const ids = [...repeat(range(8), 2), 100, 101];
  check(t, ids.length, 8, ids, 0.2, 10);
  // No positive anywhere: 0, not NaN.
  const z = tf.tensor2d(randomRows(4, 3, 11), [4, 3]);
  const idx = tf.tensor1d([0, 1, 2, 3], 'int32');
  const loss = simclrLoss(z, idx);
  t.is(loss.dataSync()[0], 0);
  tf.dispose([z, idx, loss]);
});

test('perfectly aligned positives, orthogonal negatives: loss = log(1 + (N−2)·e^{−1/τ})', (t) => {
  // Rows e_0..e_3 twice: each anchor has one positive (cos 1) and 6 negatives (cos 0).
  const eye = tf.eye(4);
  const z = tf.concat([eye, eye], 0) as tf.Tensor2D;
  const idx = tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32');
  const loss = simclrLoss(z, idx, 0.5);
  const expected = Math.log(1 + 6 * Math.exp(-1 / 0.5));
  t.true(Math.abs(loss.dataSync()[0]! - expected) < 1e-6);
  tf.dispose([eye, z, idx, loss]);
});

test('float32 indexes work like int32 ones', (t) => {
  const data = randomRows(12, 5, 12);
  const z = tf.tensor2d(data, [12, 5]);
  const a = simclrLoss(z, tf.tensor1d(repeat(range(6), 2), 'int32'));
  const b = simclrLoss(z, tf.tensor1d(repeat(range(6), 2), 'float32'));
  t.true(Math.abs(a.dataSync()[0]! - b.dataSync()[0]!) < 1e-7);
});

test('gradients are finite and a few gradient steps on z lower the loss', (t) => {
  const n = 16;
  const d = 8;
  const ids = tf.tensor1d(repeat(range(8).map((i) => i % 4), 2), 'int32');
  const z = tf.variable(tf.tensor2d(randomRows(n, d, 13), [n, d]));
  const lossOf = (): tf.Scalar => simclrLoss(z, ids, 0.2);
  const first = tf.tidy(() => lossOf().dataSync()[0]!);
  let last = first;
  for (let step = 0; step < 20; step++) {
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(lossOf, [z]);
      const g = grads[z.name]!;
      t.true(g.dataSync().every(Number.isFinite), 'finite gradient');
      t.true(tf.sum(tf.abs(g)).dataSync()[0]! > 0, 'non-zero gradient');
      z.assign(tf.sub(z, tf.mul(g, 1.0)));
      last = value.dataSync()[0]!;
    });
  }
  t.true(last < first - 0.1, `loss ${first} → ${last}`);
  // A zero row (norm 0), a singleton id (masked rows) and huge logits: still finite.
  tf.tidy(() => {
    const zz = tf.concat([tf.zeros([1, 3]), tf.tensor2d(randomRows(4, 3, 15), [4, 3])], 0);
    const g = tf.grad((x: tf.Tensor) => simclrLoss(x as tf.Tensor2D, tf.tensor1d([0, 0, 1, 1, 2], 'int32')))(zz);
    t.true(g.dataSync().every(Number.isFinite));
  });
  tf.tidy(() => {
    const zz = tf.tensor2d(randomRows(5, 3, 14), [5, 3]);
    const g = tf.grad((x: tf.Tensor) => simclrLoss(x as tf.Tensor2D, tf.tensor1d([0, 0, 1, 1, 9], 'int32'), 0.005))(zz);
    t.true(g.dataSync().every(Number.isFinite));
  });
  tf.dispose([ids, z]);
});

test('gradient matches central differences of the float64 reference', (t) => {
  const n = 8;
  const d = 3;
  const ids = repeat([0, 1, 1, 2], 2);
  const data = randomRows(n, d, 16);
  const grad = tf.tidy(() =>
    tf.grad((x: tf.Tensor) => simclrLoss(x as tf.Tensor2D, tf.tensor1d(ids, 'int32'), 0.3))(tf.tensor2d(data, [n, d])).dataSync(),
  );
  const h = 1e-5;
  const moved = (i: number, delta: number): number => {
    const z = Float64Array.from(data);
    z[i] = z[i]! + delta;
    return referenceLoss(z, n, d, ids, 0.3);
  };
  for (let i = 0; i < n * d; i++) {
    const numeric = (moved(i, h) - moved(i, -h)) / (2 * h);
    t.true(Math.abs(grad[i]! - numeric) < 1e-3 * (1 + Math.abs(numeric)), `d/dz[${i}]: ${grad[i]} vs ${numeric}`);
  }
});

test('rejects mismatched shapes and bad temperatures with a clear message', (t) => {
  const z = tf.zeros([4, 3]) as tf.Tensor2D;
  const idx = tf.tensor1d([0, 0, 1], 'int32');
  t.throws(() => simclrLoss(z, idx), { message: /indexes must be \[4\]/ });
  t.throws(() => simclrLoss(z, tf.tensor1d([0, 0, 1, 1], 'int32'), 0), { message: /temperature/ });
  tf.dispose([z, idx]);
});

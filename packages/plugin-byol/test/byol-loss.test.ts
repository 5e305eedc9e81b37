import test from 'ava';
import { randomRows } from '@sempair/core';
import * as tf from '@tensorflow/tfjs-core';
import { byolLoss } from '../src/index.js';
import { useCpuBackend } from './backend.js';

test.before(async () => {
  await useCpuBackend();
});

/** solo-learn's byol_loss_func (simplified) in float64: 2 − 2·mean_i cos(p_i, z_i). */
function referenceLoss(p: ArrayLike<number>, z: ArrayLike<number>, n: number, d: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let pp = 0;
    let zz = 0;
    let pz = 0;
    for (let k = 0; k < d; k++) {
      const a = p[i * d + k]!;
      const b = z[i * d + k]!;
      pp += a * a;
      zz += b * b;
      pz += a * b;
    }
    sum += pz / (Math.max(Math.sqrt(pp), 1e-12) * Math.max(Math.sqrt(zz), 1e-12));
  }
  return 2 - (2 * sum) / n;
}

/** d loss / d p in float64: −(2/N)·(ẑ − cos·p̂)/‖p‖ per row. */
function referenceGrad(p: ArrayLike<number>, z: ArrayLike<number>, n: number, d: number): Float64Array {
  const g = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let pp = 0;
    let zz = 0;
    let pz = 0;
    for (let k = 0; k < d; k++) {
      pp += p[i * d + k]! ** 2;
      zz += z[i * d + k]! ** 2;
      pz += p[i * d + k]! * z[i * d + k]!;
    }
    const np = Math.sqrt(pp);
    const nz = Math.sqrt(zz);
    const cos = pz / (np * nz);
    for (let k = 0; k < d; k++) g[i * d + k] = (-2 / n) * (z[i * d + k]! / nz - (cos * p[i * d + k]!) / np) / np;
  }
  return g;
}

const cases: Array<[number, number, number, number]> = [
  [1, 3, 1, 1],
  [8, 16, 2, 1],
  [64, 256, 3, 1],
  [32, 128, 4, 100],
  [16, 64, 5, 1e-3],
];

for (const [n, d, seed, scale] of cases) {
  test(`byolLoss matches the float64 reference (N=${n}, D=${d}, scale ${scale})`, (t) => {
    const p = randomRows(n, d, seed).map((v) => v * scale);
    const z = randomRows(n, d, seed + 1000).map((v) => v * scale * 0.5);
    const expected = referenceLoss(p, z, n, d);
    const got = tf.tidy(() => byolLoss(tf.tensor2d(p, [n, d]), tf.tensor2d(z, [n, d])).dataSync()[0]!);
    const rel = Math.abs(got - expected) / Math.max(Math.abs(expected), 1e-12);
    t.true(rel < 1e-5, `got ${got}, expected ${expected}, relative error ${rel}`);
  });
}

test('byolLoss: identical directions give 0, opposite give 4, orthogonal give 2', (t) => {
  tf.tidy(() => {
    const p = tf.tensor2d([[1, 2, 3], [0.5, -1, 2]]);
    t.true(Math.abs(byolLoss(p, tf.mul(p, 3) as tf.Tensor2D).dataSync()[0]!) < 1e-6);
    t.true(Math.abs(byolLoss(p, tf.mul(p, -0.5) as tf.Tensor2D).dataSync()[0]! - 4) < 1e-6);
    const a = tf.tensor2d([[1, 0], [0, 1]]);
    const b = tf.tensor2d([[0, 2], [-3, 0]]);
    t.true(Math.abs(byolLoss(a, b).dataSync()[0]! - 2) < 1e-6);
  });
});

test('byolLoss gradient w.r.t. p matches the float64 reference', (t) => {
  const n = 12;
  const d = 20;
  const p = randomRows(n, d, 7);
  const z = randomRows(n, d, 8);
  const expected = referenceGrad(p, z, n, d);
  const got = tf.tidy(() => {
    const zt = tf.tensor2d(z, [n, d]);
    return tf.grad((pt: tf.Tensor) => byolLoss(pt as tf.Tensor2D, zt))(tf.tensor2d(p, [n, d])).dataSync();
  });
  let maxAbs = 0;
  let maxErr = 0;
  for (let i = 0; i < expected.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(expected[i]!));
    maxErr = Math.max(maxErr, Math.abs(got[i]! - expected[i]!));
  }
  t.true(maxErr / maxAbs < 1e-5, `max error ${maxErr} vs max |grad| ${maxAbs}`);
});

test('byolLoss is finite with a zero row (F.normalize clamp)', (t) => {
  const [loss, grad] = tf.tidy(() => {
    const p = tf.tensor2d([[0, 0, 0], [1, 2, 3]]);
    const z = tf.tensor2d([[1, 1, 1], [1, 2, 3]]);
    return [byolLoss(p, z).dataSync()[0]!, Array.from(tf.grad((x: tf.Tensor) => byolLoss(x as tf.Tensor2D, z))(p).dataSync())];
  });
  // Row 0 has cos 0, row 1 cos 1: 2 − 2·0.5 = 1.
  t.true(Math.abs(loss - 1) < 1e-6);
  t.true(grad.every(Number.isFinite));
});

test('byolLoss rejects mismatched shapes and leaks no tensors', (t) => {
  const p = tf.zeros([2, 3]) as tf.Tensor2D;
  const z = tf.ones([2, 4]) as tf.Tensor2D;
  t.throws(() => byolLoss(p, z), { message: /same shape/ });
  const q = tf.ones([2, 3]) as tf.Tensor2D;
  const before = tf.memory().numTensors;
  const loss = byolLoss(q, q);
  t.is(tf.memory().numTensors, before + 1);
  loss.dispose();
  tf.dispose([p, z, q]);
});

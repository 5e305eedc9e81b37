import test from 'ava';
import { randomRows } from '@sempair/core';
import * as tf from '@tensorflow/tfjs-core';
import { vicregLoss } from '../src/vicreg-loss.js';
import { useCpuBackend } from './backend.js';

test.before(async () => {
  await useCpuBackend();
});

interface Terms {
  loss: number;
  invariance: number;
  variance: number;
  covariance: number;
}

/** solo-learn's vicreg_loss_func in float64 with plain loops. */
function reference(z1: ArrayLike<number>, z2: ArrayLike<number>, n: number, d: number, w = { sim: 25, var: 25, cov: 1 }): Terms {
  let invariance = 0;
  for (let i = 0; i < n * d; i++) invariance += (z1[i]! - z2[i]!) ** 2;
  invariance /= n * d;
  const branch = (z: ArrayLike<number>): [number, number] => {
    const c = new Float64Array(n * d);
    for (let k = 0; k < d; k++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += z[i * d + k]!;
      mean /= n;
      for (let i = 0; i < n; i++) c[i * d + k] = z[i * d + k]! - mean;
    }
    let variance = 0;
    let covariance = 0;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += c[i * d + a]! * c[i * d + b]!;
        s /= n - 1;
        if (a === b) variance += Math.max(0, 1 - Math.sqrt(s + 1e-4));
        else covariance += s * s;
      }
    }
    return [variance / d, covariance / d];
  };
  const [v1, c1] = branch(z1);
  const [v2, c2] = branch(z2);
  const variance = v1 + v2;
  const covariance = c1 + c2;
  return { loss: w.sim * invariance + w.var * variance + w.cov * covariance, invariance, variance, covariance };
}

const rel = (got: number, want: number): number => Math.abs(got - want) / Math.max(Math.abs(want), 1e-30);

function check(
  t: import('ava').ExecutionContext,
  n: number,
  d: number,
  seed: number,
  opts: { scale?: number; shift?: number; weights?: { sim?: number; var?: number; cov?: number } } = {},
): Terms {
  const a = randomRows(n, d, seed, { scale: opts.scale ?? 1, shift: opts.shift ?? 0 });
  const b = randomRows(n, d, seed + 1000, { scale: opts.scale ?? 1, shift: opts.shift ?? 0 });
  // z2 correlated with z1, as two branches are.
  for (let i = 0; i < b.length; i++) b[i] = Math.fround(0.7 * a[i]! + 0.3 * b[i]!);
  const w = { sim: 25, var: 25, cov: 1, ...opts.weights };
  const want = reference(a, b, n, d, w);
  const before = tf.memory().numTensors;
  const z1 = tf.tensor2d(a, [n, d]);
  const z2 = tf.tensor2d(b, [n, d]);
  const out = opts.weights ? vicregLoss(z1, z2, opts.weights) : vicregLoss(z1, z2);
  const got: Terms = {
    loss: out.loss.dataSync()[0]!,
    invariance: out.invariance.dataSync()[0]!,
    variance: out.variance.dataSync()[0]!,
    covariance: out.covariance.dataSync()[0]!,
  };
  for (const s of [out.loss, out.invariance, out.variance, out.covariance]) t.deepEqual(s.shape, []);
  tf.dispose([z1, z2, out.loss, out.invariance, out.variance, out.covariance]);
  t.is(tf.memory().numTensors, before, 'no tensors leak');
  for (const k of ['loss', 'invariance', 'variance', 'covariance'] as const) {
    t.true(Number.isFinite(want[k]));
    if (want[k] === 0) t.is(got[k], 0, `${k}: got ${got[k]}, reference 0`);
    else t.true(rel(got[k], want[k]) < 1e-5, `${k}: got ${got[k]}, reference ${want[k]} (rel ${rel(got[k], want[k])})`);
  }
  return want;
}

test('default weights 25/25/1 match the float64 reference', (t) => {
  // scale 0.5: std < 1 in every dimension, so the variance term is active everywhere.
  const w = check(t, 32, 16, 1, { scale: 0.5 });
  t.true(w.variance > 0.5 && w.covariance > 0 && w.invariance > 0);
  check(t, 64, 8, 2, { scale: 0.8 });
  check(t, 16, 32, 3, { scale: 0.3, shift: 2 }); // D > N, offset means
  check(t, 128, 24, 4, { scale: 0.9 });
});

test('custom weights (partial and full) match the reference', (t) => {
  check(t, 32, 16, 5, { scale: 0.5, weights: { sim: 10 } });
  check(t, 32, 16, 6, { scale: 0.5, weights: { sim: 1, var: 2, cov: 0.04 } });
  check(t, 24, 12, 7, { scale: 0.7, weights: { var: 0, cov: 5 } });
});

test('variance term is zero when every dimension has std ≥ 1', (t) => {
  const w = check(t, 64, 8, 8, { scale: 3 });
  t.is(w.variance, 0);
});

test('collapsed branches: variance 2·relu(1 − sqrt(1e-4)) = 1.98, covariance 0, invariance 0', (t) => {
  const z = tf.ones([8, 4]) as tf.Tensor2D;
  const out = vicregLoss(z, z);
  t.true(Math.abs(out.variance.dataSync()[0]! - 2 * (1 - 0.01)) < 1e-6);
  t.is(out.covariance.dataSync()[0]!, 0);
  t.is(out.invariance.dataSync()[0]!, 0);
  t.true(Math.abs(out.loss.dataSync()[0]! - 25 * 1.98) < 1e-4);
  tf.dispose([z, out.loss, out.invariance, out.variance, out.covariance]);
});

test('gradients are finite (also for collapsed inputs) and gradient steps lower the loss', (t) => {
  const n = 16;
  const d = 8;
  const z1 = tf.variable(tf.tensor2d(randomRows(n, d, 9, { scale: 0.3 }), [n, d]));
  const z2 = tf.variable(tf.tensor2d(randomRows(n, d, 10, { scale: 0.3 }), [n, d]));
  const lossOf = (): tf.Scalar => vicregLoss(z1, z2).loss;
  const first = tf.tidy(() => lossOf().dataSync()[0]!);
  let last = first;
  for (let step = 0; step < 20; step++) {
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(lossOf, [z1, z2]);
      for (const v of [z1, z2]) {
        const g = grads[v.name]!;
        t.true(g.dataSync().every(Number.isFinite), 'finite gradient');
        v.assign(tf.sub(v, tf.mul(g, 0.05)));
      }
      last = value.dataSync()[0]!;
    });
  }
  t.true(last < first, `loss ${first} → ${last}`);
  tf.dispose([z1, z2]);
  tf.tidy(() => {
    // Constant columns: var = 0, sqrt'(1e-4) finite thanks to eps.
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => vicregLoss(a as tf.Tensor2D, b as tf.Tensor2D).loss)([tf.ones([4, 3]), tf.zeros([4, 3])]);
    for (const gi of g) t.true(gi.dataSync().every(Number.isFinite));
  });
});

test('gradient matches central differences of the float64 reference', (t) => {
  const n = 6;
  const d = 3;
  const a = randomRows(n, d, 11, { scale: 0.5 });
  const b = randomRows(n, d, 12, { scale: 0.5 });
  const [g1] = tf.tidy(() =>
    tf.grads((x: tf.Tensor, y: tf.Tensor) => vicregLoss(x as tf.Tensor2D, y as tf.Tensor2D).loss)([tf.tensor2d(a, [n, d]), tf.tensor2d(b, [n, d])]).map((g) => g.dataSync()),
  );
  const h = 1e-6;
  for (let i = 0; i < n * d; i++) {
    const moved = (delta: number): number => {
      const z = Float64Array.from(a);
      z[i] = z[i]! + delta;
      return reference(z, b, n, d).loss;
    };
    const numeric = (moved(h) - moved(-h)) / (2 * h);
    t.true(Math.abs(g1![i]! - numeric) < 1e-3 * (1 + Math.abs(numeric)), `d/dz1[${i}]: ${g1![i]} vs ${numeric}`);
  }
});

test('rejects mismatched shapes and a single row', (t) => {
  const a = tf.zeros([4, 3]) as tf.Tensor2D;
  const b = tf.zeros([4, 2]) as tf.Tensor2D;
  const c = tf.zeros([1, 3]) as tf.Tensor2D;
  t.throws(() => vicregLoss(a, b), { message: /same shape/ });
  t.throws(() => vicregLoss(c, c), { message: /at least 2 rows/ });
  tf.dispose([a, b, c]);
});

import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { BatchNorm, Linear, ParameterSet, PreciseBatchNorm } from '../src/nn/index.js';
import { Rng } from '../src/rng.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const close = (t: { true(v: boolean, m?: string): void }, a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  t.true(a.length === b.length, `length ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) t.true(Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)), `[${i}] ${a[i]} vs ${b[i]}`);
};

/** Per-column mean and unbiased variance of a row-major [n, c] matrix, in float64. */
function columnStats(x: Float32Array, n: number, c: number): { mean: number[]; variance: number[] } {
  const mean = Array.from({ length: c }, (_, j) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * c + j]!;
    return s / n;
  });
  const variance = mean.map((m, j) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (x[i * c + j]! - m) ** 2;
    return s / (n - 1);
  });
  return { mean, variance };
}

test('PreciseBatchNorm: running statistics become the average of batch means and unbiased variances, layer by layer (fvcore update_bn_stats)', (t) => {
  const params = new ParameterSet('net');
  const rng = new Rng(3);
  const bn1 = new BatchNorm(params, 'bn1', 3);
  const fc = new Linear(params, 'fc', 3, 2, rng);
  const bn2 = new BatchNorm(params, 'bn2', 2);
  // Norm parameters away from 1/0, so bn2's input depends on them.
  bn1.gamma!.assign(tf.tensor1d([2, -0.5, 1.5]));
  bn1.beta!.assign(tf.tensor1d([0.3, 0, -1]));
  const forward = (x: tf.Tensor2D) => bn2.apply(fc.apply(bn1.apply(x, true)), true);
  const before = [bn1.runningMean, bn1.runningVar, bn2.runningMean, bn2.runningVar].map((v) => Array.from(v.dataSync()));

  // Batches of different sizes and scales: plain averages differ from any momentum average.
  const batches = [5, 8, 3, 6].map((n, k) => tf.tensor2d(Array.from({ length: n * 3 }, () => rng.normal() * (1 + k) + k), [n, 3]));
  const expected = { bn1: { mean: [0, 0, 0], variance: [0, 0, 0] }, bn2: { mean: [0, 0], variance: [0, 0] } };
  for (const x of batches) {
    // The reference: each layer's batch statistics with the current weights, in float64.
    const s1 = columnStats(x.dataSync() as Float32Array, x.shape[0], 3);
    const h = tf.tidy(() => {
      const g = bn1.gamma!.dataSync();
      const b = bn1.beta!.dataSync();
      const xs = x.dataSync();
      const z = Float32Array.from(xs, (v, i) => ((v - s1.mean[i % 3]!) / Math.sqrt((s1.variance[i % 3]! * (x.shape[0] - 1)) / x.shape[0] + 1e-5)) * g[i % 3]! + b[i % 3]!);
      return fc.apply(tf.tensor2d(z, [x.shape[0], 3])).dataSync() as Float32Array;
    });
    const s2 = columnStats(h, x.shape[0], 2);
    s1.mean.forEach((v, j) => (expected.bn1.mean[j]! += v / batches.length));
    s1.variance.forEach((v, j) => (expected.bn1.variance[j]! += v / batches.length));
    s2.mean.forEach((v, j) => (expected.bn2.mean[j]! += v / batches.length));
    s2.variance.forEach((v, j) => (expected.bn2.variance[j]! += v / batches.length));
  }

  const precise = new PreciseBatchNorm();
  const tensorsBefore = tf.memory().numTensors;
  for (const x of batches) precise.add(() => forward(x));
  // Nothing assigned until finish, and only the sums (two per layer) are held meanwhile.
  t.deepEqual([bn1.runningMean, bn1.runningVar, bn2.runningMean, bn2.runningVar].map((v) => Array.from(v.dataSync())), before);
  t.is(tf.memory().numTensors, tensorsBefore + 4);
  t.deepEqual(precise.finish(), { layers: 2, batches: [4, 4] });
  t.is(tf.memory().numTensors, tensorsBefore);
  close(t, bn1.runningMean.dataSync(), expected.bn1.mean);
  close(t, bn1.runningVar.dataSync(), expected.bn1.variance);
  close(t, bn2.runningMean.dataSync(), expected.bn2.mean);
  close(t, bn2.runningVar.dataSync(), expected.bn2.variance);
  t.throws(() => precise.add(() => forward(batches[0]!)), { message: /after finish/ });

  // Outside a PreciseBatchNorm pass the momentum update is back: 0.9·running + 0.1·batch.
  const running = Array.from(bn1.runningMean.dataSync());
  tf.tidy(() => forward(batches[0]!));
  const batchMean = columnStats(batches[0]!.dataSync() as Float32Array, 5, 3).mean;
  close(t, bn1.runningMean.dataSync(), running.map((r, j) => 0.9 * r + 0.1 * batchMean[j]!));
  tf.dispose(batches);
  params.dispose();
});

test('PreciseBatchNorm.dispose frees the sums without touching the running statistics', (t) => {
  const params = new ParameterSet('net');
  const bn = new BatchNorm(params, 'bn', 2);
  const x = tf.tensor2d([1, 2, 3, 5, -1, 0], [3, 2]);
  const tensorsBefore = tf.memory().numTensors;
  const precise = new PreciseBatchNorm();
  precise.add(() => bn.apply(x, true));
  precise.dispose();
  t.is(tf.memory().numTensors, tensorsBefore);
  t.deepEqual(Array.from(bn.runningMean.dataSync()), [0, 0]);
  t.deepEqual(Array.from(bn.runningVar.dataSync()), [1, 1]);
  x.dispose();
  params.dispose();
});

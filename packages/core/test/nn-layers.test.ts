import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { BatchNorm, Conv2d, Linear, ParameterSet, denseMatMul, gelu, mlp } from '../src/nn/index.js';
import { Rng } from '../src/rng.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const close = (t: { true(v: boolean, m?: string): void }, a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4) => {
  t.true(a.length === b.length, `length ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) t.true(Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)), `[${i}] ${a[i]} vs ${b[i]}`);
};

test('Linear: names, roles, PyTorch init bound and x·W + b', (t) => {
  const params = new ParameterSet('head');
  const lin = new Linear(params, 'fc', 4, 3, new Rng(1));
  t.deepEqual(params.list().map((p) => [p.name, p.role, p.variable.shape]), [
    ['head.fc.weight', 'weight', [4, 3]],
    ['head.fc.bias', 'bias', [3]],
  ]);
  const w = lin.weight.dataSync();
  const b = lin.bias!.dataSync();
  for (const v of [...w, ...b]) t.true(Math.abs(v) <= 0.5); // 1/√4
  const x = [1, 2, 3, 4, -1, 0, 0.5, 2];
  const y = tf.tidy(() => lin.apply(tf.tensor2d(x, [2, 4]))).dataSync();
  const expected: number[] = [];
  for (let r = 0; r < 2; r++) {
    for (let c = 0; c < 3; c++) {
      let s = b[c]!;
      for (let k = 0; k < 4; k++) s += x[r * 4 + k]! * w[k * 3 + c]!;
      expected.push(s);
    }
  }
  close(t, y, expected);
  const noBias = new Linear(params, 'nb', 4, 2, new Rng(2), { bias: false });
  t.is(noBias.bias, undefined);
  t.is(params.count(), 4 * 3 + 3 + 4 * 2);
  params.dispose();
});

test('Linear init is a pure function of the seed', (t) => {
  const a = new ParameterSet();
  const b = new ParameterSet();
  new Linear(a, 'fc', 8, 8, new Rng(7));
  new Linear(b, 'fc', 8, 8, new Rng(7));
  t.deepEqual(Array.from(a.get('fc.weight').dataSync()), Array.from(b.get('fc.weight').dataSync()));
  a.dispose();
  b.dispose();
});

/** Per-channel batch statistics of a row-major [..., C] array, computed in plain JS. */
function channelStats(x: number[], c: number) {
  const n = x.length / c;
  const mean = new Array<number>(c).fill(0);
  const varB = new Array<number>(c).fill(0);
  for (let i = 0; i < x.length; i++) mean[i % c]! += x[i]! / n;
  for (let i = 0; i < x.length; i++) varB[i % c]! += (x[i]! - mean[i % c]!) ** 2 / n;
  return { n, mean, varB, varU: varB.map((v) => (v * n) / (n - 1)) };
}

test('BatchNorm training: batch statistics, PyTorch running-stat update, eval uses running stats', (t) => {
  const params = new ParameterSet();
  const bn = new BatchNorm(params, 'bn1', 3);
  t.deepEqual(params.list().map((p) => [p.name, p.role]), [
    ['bn1.weight', 'norm'],
    ['bn1.bias', 'norm'],
    ['bn1.running_mean', 'buffer'],
    ['bn1.running_var', 'buffer'],
  ]);
  bn.gamma!.assign(tf.tensor1d([1, 2, 0.5]));
  bn.beta!.assign(tf.tensor1d([0, -1, 3]));
  const rng = new Rng(3);
  const x = Array.from({ length: 2 * 2 * 2 * 3 }, () => rng.normal(1, 2));
  const { mean, varB, varU } = channelStats(x, 3);
  const gamma = [1, 2, 0.5];
  const beta = [0, -1, 3];

  const y = tf.tidy(() => bn.apply(tf.tensor4d(x, [2, 2, 2, 3]), true)).dataSync();
  close(t, y, x.map((v, i) => ((v - mean[i % 3]!) / Math.sqrt(varB[i % 3]! + 1e-5)) * gamma[i % 3]! + beta[i % 3]!));
  close(t, bn.runningMean.dataSync(), mean.map((m) => 0.1 * m));
  close(t, bn.runningVar.dataSync(), varU.map((v) => 0.9 + 0.1 * v));

  // A second step compounds: running = 0.9·running + 0.1·batch.
  tf.tidy(() => bn.apply(tf.tensor4d(x, [2, 2, 2, 3]), true));
  close(t, bn.runningMean.dataSync(), mean.map((m) => 0.9 * 0.1 * m + 0.1 * m));
  close(t, bn.runningVar.dataSync(), varU.map((v) => 0.9 * (0.9 + 0.1 * v) + 0.1 * v));

  const rm = Array.from(bn.runningMean.dataSync());
  const rv = Array.from(bn.runningVar.dataSync());
  const e = tf.tidy(() => bn.apply(tf.tensor4d(x, [2, 2, 2, 3]), false)).dataSync();
  close(t, e, x.map((v, i) => ((v - rm[i % 3]!) / Math.sqrt(rv[i % 3]! + 1e-5)) * gamma[i % 3]! + beta[i % 3]!));
  close(t, bn.runningMean.dataSync(), rm, 0); // eval leaves the buffers alone
  params.dispose();
});

test('BatchNorm momentum, epsilon and affine=false options', (t) => {
  const params = new ParameterSet();
  const bn = new BatchNorm(params, 'bn', 2, { momentum: 0.5, epsilon: 0.1, affine: false });
  t.deepEqual(params.list().map((p) => p.name), ['bn.running_mean', 'bn.running_var']);
  const x = [1, 10, 3, 20, 5, 60];
  const { mean, varB, varU } = channelStats(x, 2);
  const y = tf.tidy(() => bn.apply(tf.tensor2d(x, [3, 2]), true)).dataSync();
  close(t, y, x.map((v, i) => (v - mean[i % 2]!) / Math.sqrt(varB[i % 2]! + 0.1)));
  close(t, bn.runningMean.dataSync(), mean.map((m) => 0.5 * m));
  close(t, bn.runningVar.dataSync(), varU.map((v) => 0.5 + 0.5 * v));
  t.throws(() => tf.tidy(() => bn.apply(tf.tensor2d([1, 2], [1, 2]), true)), { message: /more than 1 value per channel/ });
  params.dispose();
});

for (const [shape, affine] of [
  [[5, 2], true],
  [[2, 3, 2, 2], true],
  [[4, 2], false],
] as Array<[number[], boolean]>) {
  test(`BatchNorm gradients match the analytic formula, shape [${shape}], affine ${affine}, without leaks`, (t) => {
    const params = new ParameterSet();
    const bn = new BatchNorm(params, 'bn', 2, { affine });
    if (affine) bn.gamma!.assign(tf.tensor1d([1.5, -0.5]));
    const gamma = affine ? [1.5, -0.5] : [1, 1];
    const size = shape.reduce((a, b) => a * b, 1);
    const rng = new Rng(4);
    const xs = Array.from({ length: size }, () => rng.normal(0.5, 2));
    const dy = Array.from({ length: size }, () => rng.normal()); // loss = Σ y·dy
    const x = tf.tensor(xs, shape);
    const dyT = tf.tensor(dy, shape);
    const xv = tf.variable(x, true);
    const grads = () =>
      tf.tidy(() => {
        const vars = affine ? [xv, bn.gamma!, bn.beta!] : [xv];
        const { grads: g } = tf.variableGrads(() => tf.sum(tf.mul(bn.apply(xv, true), dyT)) as tf.Scalar, vars);
        return vars.map((v) => Array.from(g[v.name]!.dataSync()));
      });
    grads();
    const before = tf.memory().numTensors;
    const [dx, dgamma, dbeta] = grads();
    t.is(tf.memory().numTensors, before, 'no tensors leak');

    const { n, mean, varB } = channelStats(xs, 2);
    const xhat = xs.map((v, i) => (v - mean[i % 2]!) / Math.sqrt(varB[i % 2]! + 1e-5));
    const sumDy = [0, 0];
    const sumDyXhat = [0, 0];
    dy.forEach((g, i) => {
      sumDy[i % 2]! += g;
      sumDyXhat[i % 2]! += g * xhat[i]!;
    });
    if (affine) {
      close(t, dbeta!, sumDy);
      close(t, dgamma!, sumDyXhat);
    }
    const expectedDx = xs.map((_, i) => {
      const c = i % 2;
      return ((gamma[c]! / Math.sqrt(varB[c]! + 1e-5)) * (n * dy[i]! - sumDy[c]! - xhat[i]! * sumDyXhat[c]!)) / n;
    });
    close(t, dx!, expectedDx, 1e-3);
    tf.dispose([x, dyT, xv]);
    params.dispose();
  });
}

test('Conv2d: numeric padding is symmetric like PyTorch (3×3, stride 2, pad 1 on 4×4)', (t) => {
  const params = new ParameterSet();
  const conv = new Conv2d(params, 'conv', 1, 1, 3, new Rng(5), { stride: 2, padding: 1 });
  conv.weight.assign(tf.ones([3, 3, 1, 1]));
  const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]);
  const y = tf.tidy(() => conv.apply(x));
  t.deepEqual(y.shape, [1, 2, 2, 1]);
  // Windows centred on (0,0), (0,2), (2,0), (2,2) with one zero row/column on each side.
  t.deepEqual(Array.from(y.dataSync()), [1 + 2 + 5 + 6, 2 + 3 + 4 + 6 + 7 + 8, 5 + 6 + 9 + 10 + 13 + 14, 6 + 7 + 8 + 10 + 11 + 12 + 14 + 15 + 16]);
  tf.dispose([x, y]);
  params.dispose();
});

test('Conv2d: output sizes, init scale, gradients with numeric padding', (t) => {
  const params = new ParameterSet();
  const stem = new Conv2d(params, 'conv1', 3, 8, 7, new Rng(6), { stride: 2, padding: 3 });
  const odd = new Conv2d(params, 'odd', 3, 4, 3, new Rng(7), { stride: 2 });
  const biased = new Conv2d(params, 'b', 3, 4, 1, new Rng(8), { bias: true, padding: 'valid' });
  t.deepEqual(params.list().map((p) => [p.name, p.role, p.variable.shape]), [
    ['conv1.weight', 'weight', [7, 7, 3, 8]],
    ['odd.weight', 'weight', [3, 3, 3, 4]],
    ['b.weight', 'weight', [1, 1, 3, 4]],
    ['b.bias', 'bias', [4]],
  ]);
  const x = tf.randomNormal([2, 32, 32, 3]) as tf.Tensor4D;
  const x7 = tf.randomNormal([1, 7, 7, 3]) as tf.Tensor4D;
  t.deepEqual(tf.tidy(() => stem.apply(x)).shape, [2, 16, 16, 8]);
  t.deepEqual(tf.tidy(() => odd.apply(x7)).shape, [1, 4, 4, 4]); // floor((7 + 2 − 3)/2) + 1
  // kaiming normal, fan_out: std = √(2 / (8·49)) ≈ 0.0714
  const w = Array.from(stem.weight.dataSync());
  const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  t.true(Math.abs(std - Math.sqrt(2 / (8 * 49))) < 0.005, `std ${std}`);
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(odd.apply(x7))) as tf.Scalar, [odd.weight]);
    t.deepEqual(grads[odd.weight.name]!.shape, [3, 3, 3, 4]);
  });
  t.is(tf.memory().numTensors, before);
  tf.dispose([x, x7]);
  params.dispose();
});

/** erf to ~1e-10 by its Maclaurin series (|x| < 3 here). */
function erf(x: number): number {
  let sum = 0;
  let term = x;
  for (let n = 0; n < 80; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

test('gelu is the exact erf form', (t) => {
  const xs = [-3, -1.5, -0.3, 0, 0.2, 1, 2.5];
  const y = tf.tidy(() => gelu(tf.tensor1d(xs))).dataSync();
  close(t, y, xs.map((x) => 0.5 * x * (1 + erf(x / Math.SQRT2))), 1e-5);
});

test('mlp: Sequential-style names, BN placement, shapes', (t) => {
  const params = new ParameterSet('method');
  const head = mlp(params.scope('projector'), 'mlp', [6, 16, 4], new Rng(9), { batchNorm: true, lastBias: false });
  t.deepEqual(params.list().map((p) => p.name), [
    'method.projector.mlp.0.weight',
    'method.projector.mlp.0.bias',
    'method.projector.mlp.1.weight',
    'method.projector.mlp.1.bias',
    'method.projector.mlp.1.running_mean',
    'method.projector.mlp.1.running_var',
    'method.projector.mlp.3.weight',
  ]);
  t.is(head.outDim, 4);
  const x = tf.randomNormal([5, 6]) as tf.Tensor2D;
  const before = tf.memory().numTensors;
  const y = tf.tidy(() => head.apply(x, true));
  t.deepEqual(y.shape, [5, 4]);
  y.dispose();
  t.is(tf.memory().numTensors, before);

  const three = mlp(new ParameterSet(), 'p', [4, 8, 8, 2], new Rng(10), { activation: 'gelu', lastBatchNorm: true });
  t.deepEqual(three.layers.map((l) => (typeof l === 'string' ? l : l.constructor.name)), [
    'Linear', 'gelu', 'Linear', 'gelu', 'Linear', 'BatchNorm',
  ]);
  t.deepEqual(tf.tidy(() => three.apply(tf.randomNormal([3, 4]), true)).shape, [3, 2]);
  x.dispose();
  params.dispose();
});

test('denseMatMul: the value and gradients of x·W + b, with and without bias', (t) => {
  const rng = new Rng(5);
  const draw = (shape: [number, number]) => tf.tensor2d(Array.from({ length: shape[0] * shape[1] }, () => rng.normal()), shape);
  const x = draw([5, 4]);
  const w = draw([4, 3]);
  const b = tf.tensor1d([0.5, -1, 2]);
  const dy = draw([5, 3]);
  for (const bias of [b, undefined]) {
    const reference = (xs: tf.Tensor2D, ws: tf.Tensor2D, bs?: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.matMul(xs, ws), bs ?? 0), dy));
    const ours = (xs: tf.Tensor2D, ws: tf.Tensor2D, bs?: tf.Tensor) => tf.sum(tf.mul(denseMatMul(xs, ws, bs), dy));
    const args = bias ? [x, w, bias] : [x, w];
    const expected = tf.grads((...a: tf.Tensor[]) => reference(a[0] as tf.Tensor2D, a[1] as tf.Tensor2D, a[2]))(args);
    const got = tf.grads((...a: tf.Tensor[]) => ours(a[0] as tf.Tensor2D, a[1] as tf.Tensor2D, a[2]))(args);
    got.forEach((g, i) => close(t, g.dataSync(), expected[i]!.dataSync(), 1e-5));
    close(t, denseMatMul(x, w, bias).dataSync(), tf.add(tf.matMul(x, w), bias ?? 0).dataSync(), 1e-6);
  }
});

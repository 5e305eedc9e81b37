// Native elementwise kernels, matMul, reductions, transpose, softmax and pooling against the
// stock cpu kernels, and the dtypes and attributes they hand back to them.
import { matchesStock, nativeTest, normal, tf } from './helpers.js';

const BINARY: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, string]> = [
  ['add', tf.add, 'Add'],
  ['sub', tf.sub, 'Sub'],
  ['mul', tf.mul, 'Multiply'],
  ['div', tf.div, 'RealDiv'],
  ['maximum', tf.maximum, 'Maximum'],
  ['minimum', tf.minimum, 'Minimum'],
  ['squaredDifference', tf.squaredDifference, 'SquaredDifference'],
];

const SHAPE_PAIRS: Array<[number[], number[]]> = [
  [[2, 3, 4], [2, 3, 4]],
  [[2, 3, 4], [4]],
  [[2, 3, 4], [3, 1]],
  [[1], [2, 3]],
  [[2, 1, 4], [1, 3, 1]],
  [[], [5, 2]],
  [[4, 1, 1, 3], [4, 5, 6, 1]],
  [[64, 3, 3, 16], [16]],
];

nativeTest('binary ops match the stock kernels exactly, with every broadcasting pattern', (t, k) => {
  for (const [name, op, kernel] of BINARY) {
    SHAPE_PAIRS.forEach(([sa, sb], i) => {
      const a = normal(sa, i);
      const b = normal(sb, 50 + i);
      matchesStock(t, k, `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`, () => op(a, b), 0, kernel);
      matchesStock(t, k, `${name} ${JSON.stringify(sb)} ${JSON.stringify(sa)}`, () => op(b, a), 0, kernel);
      tf.dispose([a, b]);
    });
  }
  // NaN: Math.max/min semantics.
  const withNaN = tf.tensor1d([1, Number.NaN, -2, 3]);
  const other = tf.tensor1d([Number.NaN, 0, 5, -1]);
  matchesStock(t, k, 'maximum NaN', () => tf.maximum(withNaN, other), 0, 'Maximum');
  matchesStock(t, k, 'minimum NaN', () => tf.minimum(withNaN, other), 0, 'Minimum');
  tf.dispose([withNaN, other]);
});

const UNARY: Array<[string, (x: tf.Tensor) => tf.Tensor, string, number]> = [
  ['relu', tf.relu, 'Relu', 0],
  ['relu6', tf.relu6, 'Relu6', 0],
  ['neg', tf.neg, 'Neg', 0],
  ['abs', tf.abs, 'Abs', 0],
  ['square', tf.square, 'Square', 0],
  ['step', (x) => tf.step(x, 0.25), 'Step', 0],
  ['exp', tf.exp, 'Exp', 1e-7],
  ['log', tf.log, 'Log', 1e-7],
  ['sqrt', tf.sqrt, 'Sqrt', 1e-7],
  ['rsqrt', tf.rsqrt, 'Rsqrt', 1e-7],
  ['sigmoid', tf.sigmoid, 'Sigmoid', 1e-7],
  ['tanh', tf.tanh, 'Tanh', 1e-7],
  ['reciprocal', tf.reciprocal, 'Reciprocal', 1e-7],
  ['erf', tf.erf, 'Erf', 1e-7],
];

nativeTest('unary ops match the stock kernels (NaN, ±0 and negatives included)', (t, k) => {
  const x = tf.concat([tf.mul(normal([3, 50], 1), 4), tf.tensor2d([[0, -0, Number.NaN, 7, -7, 1e-30, -1e30, 6, 6.5, Infinity]], [1, 10]).tile([3, 1])], 1);
  for (const [name, op, kernel, tolerance] of UNARY) matchesStock(t, k, name, () => op(x), tolerance, kernel);
  // Relu of −0 is +0, as Math.max(0, −0).
  t.true(Object.is(tf.tidy(() => tf.relu(tf.tensor1d([-0])).dataSync()[0]), 0));
  x.dispose();
});

nativeTest("Relu's gradient runs as one kernel (SempairReluGrad) with tfjs' numbers; other backends keep tfjs' gradient", (t, k) => {
  const x = tf.concat([normal([4, 30], 1), tf.tensor2d([[0, -0, Number.NaN, 2, -2]], [1, 5]).tile([4, 1])], 1);
  const dy = tf.concat([normal([4, 30], 2), tf.tensor2d([[-1, 3, 1, Number.NaN, Infinity]], [1, 5]).tile([4, 1])], 1);
  const grad = () => tf.grad((v: tf.Tensor) => tf.relu(v))(x, dy);
  matchesStock(t, k, 'relu gradient', grad, 0, 'SempairReluGrad');
  k.resetStats();
  tf.tidy(grad);
  t.is(k.stats().Step, undefined, 'no Step kernel');
  t.is(k.stats().Multiply, undefined, 'no Multiply kernel');
  tf.dispose([x, dy]);
});

nativeTest('AddN, Tile (and broadcastTo, which tiles) and Softmax match the stock kernels', (t, k) => {
  const a = normal([3, 4, 5], 1);
  const b = normal([3, 4, 5], 2);
  const c = normal([3, 4, 5], 3);
  matchesStock(t, k, 'addN', () => tf.addN([a, b, c]), 0, 'AddN');
  const small = normal([3, 1], 4);
  matchesStock(t, k, 'broadcastTo', () => tf.broadcastTo(small, [2, 3, 4]), 0, 'Tile');
  matchesStock(t, k, 'tile', () => tf.tile(a, [2, 1, 3]), 0, 'Tile');
  matchesStock(t, k, 'tile once', () => tf.tile(a, [1, 1, 1]), 0, 'Tile');
  matchesStock(t, k, 'softmax', () => tf.softmax(tf.mul(a, 5)), 1e-7, 'Softmax');
  tf.dispose([a, b, c, small]);
});

nativeTest('matMul matches the stock kernel: transposes, batches, a broadcast batch', (t, k) => {
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[4, 5, 7], [4, 7, 3], false, false],
    [[2, 3, 5, 7], [2, 3, 3, 7], false, true],
    [[2, 3, 5, 7], [7, 6], false, false],
    [[9, 33], [33, 65], false, false],
  ];
  cases.forEach(([sa, sb, ta, tb], i) => {
    const a = normal(sa, i);
    const b = normal(sb, 30 + i);
    matchesStock(t, k, `matMul ${JSON.stringify(sa)}${ta ? 'ᵀ' : ''} ${JSON.stringify(sb)}${tb ? 'ᵀ' : ''}`, () => tf.matMul(a, b, ta, tb), 1e-5, 'BatchMatMul');
    tf.dispose([a, b]);
  });
  // [2,1,5,7]·[1,3,7,6] broadcasts both batch dims partly: the stock kernel does it.
  const a = normal([2, 1, 5, 7], 1);
  const b = normal([1, 3, 7, 6], 2);
  k.resetStats();
  matchesStock(t, k, 'partial batch broadcast', () => tf.matMul(a, b), 1e-5);
  t.truthy(k.stats().BatchMatMul?.reasons['partial batch broadcast']);
  tf.dispose([a, b]);
});

nativeTest('_FusedMatMul (bias + activation) matches the stock kernel', (t, k) => {
  const a = normal([6, 8], 1);
  const b = normal([8, 5], 2);
  const bias = normal([5], 3);
  for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const) {
    matchesStock(t, k, `fused ${activation}`, () => tf.fused.matMul({ a, b, bias, activation, leakyreluAlpha: 0.2 }), 1e-5, '_FusedMatMul');
  }
  matchesStock(t, k, 'fused transposed, no bias', () => tf.fused.matMul({ a: tf.transpose(a), b, transposeA: true }), 1e-5, '_FusedMatMul');
  tf.dispose([a, b, bias]);
});

nativeTest('Sum, Mean, Max and Min match the stock kernels over axis sets; non-contiguous axes fall back', (t, k) => {
  const x = normal([3, 4, 5, 6], 1);
  const axesList: Array<number | number[] | null> = [null, 0, 1, 3, -1, [1, 2], [0, 1], [2, 3], [0, 1, 2, 3], []];
  const ops: Array<[string, (x: tf.Tensor, axis: number | number[] | null, keep: boolean) => tf.Tensor, string]> = [
    ['sum', (v, a, keep) => tf.sum(v, a ?? undefined, keep), 'Sum'],
    ['mean', (v, a, keep) => tf.mean(v, a ?? undefined, keep), 'Mean'],
    ['max', (v, a, keep) => tf.max(v, a ?? undefined, keep), 'Max'],
    ['min', (v, a, keep) => tf.min(v, a ?? undefined, keep), 'Min'],
  ];
  for (const [name, op, kernel] of ops) {
    for (const axes of axesList) {
      for (const keep of [false, true]) {
        matchesStock(t, k, `${name} axes ${JSON.stringify(axes)} keepDims ${keep}`, () => op(x, axes, keep), 1e-6, kernel);
      }
    }
  }
  // Long single rows and columns: the parallel split paths.
  const long = normal([2, 70000], 2);
  const tall = normal([70000, 3], 3);
  for (const [name, op, kernel] of ops) {
    matchesStock(t, k, `${name} long rows`, () => op(long, 1, false), 1e-6, kernel);
    matchesStock(t, k, `${name} one long row`, () => op(long, null, false), 1e-6, kernel);
    matchesStock(t, k, `${name} tall columns`, () => op(tall, 0, false), 1e-6, kernel);
  }
  const nan = tf.tensor2d([1, Number.NaN, 3, 4, 5, 6], [2, 3]);
  matchesStock(t, k, 'max NaN', () => tf.max(nan, 1), 0, 'Max');
  matchesStock(t, k, 'min NaN', () => tf.min(nan, 0), 0, 'Min');
  k.resetStats();
  matchesStock(t, k, 'sum over axes 0 and 2', () => tf.sum(x, [0, 2]), 1e-6);
  t.truthy(k.stats().Sum?.reasons['reduced axes not contiguous']);
  tf.dispose([x, long, tall, nan]);
});

nativeTest('Transpose matches the stock kernel for every permutation pattern', (t, k) => {
  const cases: Array<[number[], number[]]> = [
    [[5, 7], [1, 0]],
    [[2, 3, 4, 5], [0, 3, 1, 2]],
    [[2, 3, 4, 5], [0, 2, 3, 1]],
    [[2, 3, 4, 5], [3, 2, 1, 0]],
    [[2, 3, 4], [2, 0, 1]],
    [[2, 1, 4, 1, 3], [4, 1, 0, 3, 2]],
    [[3, 4], [0, 1]],
    [[40, 70], [1, 0]],
  ];
  cases.forEach(([shape, perm], i) => {
    const x = normal(shape, i);
    matchesStock(t, k, `transpose ${JSON.stringify(shape)} ${JSON.stringify(perm)}`, () => tf.transpose(x, perm), 0, 'Transpose');
    x.dispose();
  });
});

nativeTest('MaxPool, AvgPool and their gradients match the stock kernels', (t, k) => {
  const x = normal([2, 9, 8, 3], 1);
  const configs: Array<[[number, number] | number, number | [number, number], 'same' | 'valid' | number]> = [
    [3, 2, 1],
    [2, 2, 'valid'],
    [[2, 3], 1, 'same'],
    [3, [2, 1], 'same'],
    [1, 1, 'valid'],
  ];
  for (const [filter, stride, pad] of configs) {
    const label = `filter ${JSON.stringify(filter)} stride ${JSON.stringify(stride)} pad ${JSON.stringify(pad)}`;
    matchesStock(t, k, `maxPool ${label}`, () => tf.maxPool(x as tf.Tensor4D, filter, stride, pad), 0, 'MaxPool');
    matchesStock(t, k, `avgPool ${label}`, () => tf.avgPool(x as tf.Tensor4D, filter, stride, pad), 1e-6, 'AvgPool');
    const r = tf.tidy(() => normal(tf.maxPool(x as tf.Tensor4D, filter, stride, pad).shape, 7));
    matchesStock(t, k, `maxPool grad ${label}`, () => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, filter, stride, pad), r)))(x), 1e-6, 'MaxPoolGrad');
    matchesStock(t, k, `avgPool grad ${label}`, () => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(v as tf.Tensor4D, filter, stride, pad), r)))(x), 1e-6, 'AvgPoolGrad');
    r.dispose();
  }
  x.dispose();
});

nativeTest('int32 and bool tensors go to the stock kernels, which are recorded as fallbacks', (t, k) => {
  const a = tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32');
  const b = tf.tensor1d([5, 6], 'int32');
  const cases: Array<[string, () => tf.Tensor]> = [
    ['Add', () => tf.add(a, b)],
    ['Sum', () => tf.sum(a, 0)],
    ['Transpose', () => tf.transpose(a)],
    ['Relu', () => tf.relu(a)],
  ];
  for (const [kernel, fn] of cases) {
    matchesStock(t, k, `int32 ${kernel}`, fn, 0);
    k.resetStats();
    tf.tidy(fn);
    const stats = k.stats()[kernel];
    t.is(stats?.native, 0, kernel);
    t.is(stats?.reasons['dtype int32'], 1, `${kernel} records why it fell back`);
  }
  // A stock-only op still works while the overrides are registered.
  t.deepEqual(Array.from(tf.tidy(() => tf.cumsum(tf.tensor1d([1, 2, 3])).dataSync())), [1, 3, 6]);
  tf.dispose([a, b]);
});

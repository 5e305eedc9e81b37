// Native Conv2D, its gradients (through tf.grads, so Conv2DBackpropInput/Filter run as in
// training), conv2dTranspose and FusedConv2D against the stock cpu kernels.
import { matchesStock, nativeTest, normal, tf } from './helpers.js';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface Case {
  n: number;
  hw: [number, number];
  c: number;
  o: number;
  k: [number, number];
  stride: number | [number, number];
  pad: Pad;
  dilation?: number | [number, number];
}

const explicit: tf.backend_util.ExplicitPadding = [
  [0, 0],
  [1, 2],
  [0, 1],
  [0, 0],
];

const cases: Case[] = [
  { n: 2, hw: [8, 8], c: 3, o: 4, k: [3, 3], stride: 1, pad: 'same' },
  { n: 2, hw: [9, 7], c: 3, o: 5, k: [3, 3], stride: 2, pad: 'same' },
  { n: 1, hw: [9, 7], c: 4, o: 3, k: [3, 3], stride: 2, pad: 'valid' },
  { n: 2, hw: [8, 9], c: 2, o: 4, k: [3, 3], stride: 2, pad: 1 },
  { n: 2, hw: [10, 10], c: 3, o: 2, k: [5, 5], stride: 3, pad: 2 },
  { n: 2, hw: [8, 8], c: 4, o: 8, k: [1, 1], stride: 2, pad: 0 },
  { n: 2, hw: [7, 9], c: 3, o: 4, k: [2, 3], stride: [1, 2], pad: 'same' },
  { n: 2, hw: [7, 8], c: 3, o: 4, k: [3, 2], stride: [2, 1], pad: explicit },
  { n: 1, hw: [11, 11], c: 2, o: 3, k: [7, 7], stride: 2, pad: 3 },
  { n: 2, hw: [9, 9], c: 3, o: 4, k: [3, 3], stride: 1, pad: 'same', dilation: 2 },
  { n: 2, hw: [10, 9], c: 2, o: 3, k: [3, 2], stride: 1, pad: 'valid', dilation: [2, 3] },
  { n: 2, hw: [6, 6], c: 16, o: 16, k: [3, 3], stride: 1, pad: 1 },
  // oneDNN 2.6's own 1×1 strided weight gradient corrupted the heap at these shapes (detection
  // images through a width-8 ResNet's shortcut); they run as strided samples at stride 1.
  { n: 4, hw: [82, 80], c: 8, o: 16, k: [1, 1], stride: 2, pad: 0 },
  { n: 2, hw: [64, 65], c: 8, o: 16, k: [1, 1], stride: [2, 3], pad: 'valid' },
];

function describe(c: Case): string {
  return `x[${c.n},${c.hw},${c.c}] k${c.k.join('x')} o${c.o} stride ${JSON.stringify(c.stride)} pad ${JSON.stringify(c.pad)}${c.dilation ? ` dilation ${JSON.stringify(c.dilation)}` : ''}`;
}

nativeTest('Conv2D forward matches the stock kernel over strides, kernel sizes, paddings and dilations', (t, k) => {
  cases.forEach((c, i) => {
    const x = normal([c.n, ...c.hw, c.c], i);
    const w = normal([...c.k, c.c, c.o], 100 + i);
    matchesStock(t, k, describe(c), () => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation ?? 1), 1e-5, 'Conv2D');
    tf.dispose([x, w]);
  });
});

nativeTest('Conv2DBackpropInput and Conv2DBackpropFilter (the gradients of conv2d) match the stock kernels, strided included', (t, k) => {
  cases
    .filter((c) => c.dilation === undefined) // tfjs' conv2d gradient refuses dilations
    .forEach((c, i) => {
      const x = normal([c.n, ...c.hw, c.c], i);
      const w = normal([...c.k, c.c, c.o], 100 + i);
      const out = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad);
      const r = normal(out.shape, 200 + i);
      const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r));
      matchesStock(t, k, `d/dx ${describe(c)}`, () => tf.grads(loss)([x, w])[0]!, 1e-5, 'Conv2DBackpropInput');
      matchesStock(t, k, `d/dw ${describe(c)}`, () => tf.grads(loss)([x, w])[1]!, 1e-5, 'Conv2DBackpropFilter');
      tf.dispose([x, w, out, r]);
    });
});

nativeTest('conv2dTranspose (Conv2DBackpropInput with a given output shape) matches the stock kernel', (t, k) => {
  const dy = normal([2, 4, 5, 6], 1);
  const w = normal([3, 3, 3, 6], 2);
  matchesStock(t, k, 'transpose stride 2 same', () => tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, [2, 8, 10, 3], 2, 'same'), 1e-5, 'Conv2DBackpropInput');
  matchesStock(t, k, 'transpose stride 2 valid', () => tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, [2, 9, 11, 3], 2, 'valid'), 1e-5, 'Conv2DBackpropInput');
  tf.dispose([dy, w]);
});

nativeTest('FusedConv2D (bias + activation) matches the stock kernel; prelu falls back to it', (t, k) => {
  const x = normal([2, 7, 7, 3], 1);
  const w = normal([3, 3, 3, 4], 2);
  const bias = normal([4], 3);
  for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const) {
    matchesStock(
      t,
      k,
      `fused ${activation}`,
      () => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 2, pad: 'same', bias, activation, leakyreluAlpha: 0.3 }),
      1e-5,
      'FusedConv2D',
    );
  }
  const alpha = normal([4], 4);
  k.resetStats();
  matchesStock(t, k, 'fused prelu', () => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias, activation: 'prelu', preluActivationWeights: alpha }), 1e-5);
  tf.dispose([x, w, bias, alpha]);
});

nativeTest('what oneDNN cannot take goes to the stock kernel: NCHW, ceil rounding', (t, k) => {
  const x = normal([2, 3, 7, 7], 1);
  const w = normal([3, 3, 3, 4], 2);
  k.resetStats();
  const nchw = tf.tidy(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NCHW').dataSync().slice());
  t.is(k.stats().Conv2D?.fallback, 1);
  t.deepEqual(Object.keys(k.stats().Conv2D?.reasons ?? {}), ['dataFormat NCHW']);
  const reference = k.withStockKernels(() => tf.tidy(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NCHW').dataSync().slice()));
  t.deepEqual(Array.from(nchw), Array.from(reference));

  const xh = normal([1, 8, 8, 3], 3);
  k.resetStats();
  // floor((8 + 2 − 3)/2) + 1 = 4 but ceil rounding gives 5: oneDNN's rule differs.
  matchesStock(t, k, 'ceil rounding', () => tf.conv2d(xh as tf.Tensor4D, w as tf.Tensor4D, 2, 1, 'NHWC', 1, 'ceil'), 1e-5);
  t.truthy(k.stats().Conv2D?.reasons['output size rounding']);
  tf.dispose([x, w, xh]);
});

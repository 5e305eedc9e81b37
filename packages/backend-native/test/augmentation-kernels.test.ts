// Kernels the augmentation pipelines, norms and contrastive losses use, against the stock cpu
// kernels: Pow, ClipByValue, MirrorPad, FlipLeftRight, CropAndResize, comparisons.
import { matchesStock, nativeTest, normal, tf } from './helpers.js';

nativeTest('Pow (float and int32 exponents, tf.norm) and ClipByValue match the stock kernels', (t, k) => {
  const x = tf.concat([normal([200], 1), tf.tensor1d([0, -0, Number.NaN, 1, -1, Infinity, -Infinity, 2.5])]);
  const positive = tf.abs(normal([100], 2));
  matchesStock(t, k, 'x^2 (int32 exponent)', () => tf.pow(x, tf.scalar(2, 'int32')), 0, 'Pow');
  matchesStock(t, k, 'x^3', () => tf.pow(x, tf.scalar(3)), 1e-7, 'Pow');
  matchesStock(t, k, 'x^0.5', () => tf.pow(positive, tf.scalar(0.5)), 1e-7, 'Pow');
  matchesStock(t, k, '(±1)^±inf and x^NaN', () => tf.pow(tf.tensor1d([1, -1, 1, 2, Number.NaN]), tf.tensor1d([Infinity, -Infinity, Number.NaN, Number.NaN, 0])), 0, 'Pow');
  matchesStock(t, k, 'broadcast exponent', () => tf.pow(tf.reshape(positive, [10, 10]), tf.tensor1d([0, 1, 2, 3, 0.5, -1, -2, 1.5, 4, 0.25])), 1e-7, 'Pow');
  matchesStock(t, k, 'tf.norm', () => tf.norm(normal([30, 40], 3)), 1e-6, 'Pow');
  matchesStock(t, k, 'clipByValue', () => tf.clipByValue(x, -0.5, 0.75), 0, 'ClipByValue');
  tf.dispose([x, positive]);
});

nativeTest('MirrorPad (reflect and symmetric) and FlipLeftRight match the stock kernels', (t, k) => {
  const images = normal([2, 7, 6, 3], 1);
  for (const mode of ['reflect', 'symmetric'] as const) {
    matchesStock(t, k, `mirrorPad ${mode} NHWC`, () => tf.mirrorPad(images, [[0, 0], [3, 2], [1, 4], [0, 0]], mode), 0, 'MirrorPad');
    matchesStock(t, k, `mirrorPad ${mode} 2-D`, () => tf.mirrorPad(normal([5, 4], 2), [[2, 3], [1, 0]], mode), 0, 'MirrorPad');
  }
  matchesStock(t, k, 'flipLeftRight', () => tf.image.flipLeftRight(images as tf.Tensor4D), 0, 'FlipLeftRight');
  images.dispose();
});

nativeTest('CropAndResize (bilinear, nearest, extrapolation, a box index outside the batch) matches the stock kernel', (t, k) => {
  const images = normal([3, 9, 8, 2], 1);
  const boxes = tf.tensor2d(
    [
      [0, 0, 1, 1],
      [0.1, 0.2, 0.7, 0.9],
      [-0.2, 0.3, 0.5, 1.3], // partly outside: extrapolated
      [0.6, 0.6, 0.2, 0.1], // flipped
      [0.3, 0.3, 0.3, 0.3], // a point
      [0, 0, 1, 1],
    ],
    [6, 4],
  );
  const indexes = tf.tensor1d([0, 1, 2, 1, 0, 5], 'int32'); // 5 is outside the batch: zeros
  for (const method of ['bilinear', 'nearest'] as const) {
    for (const crop of [[5, 4], [1, 1], [12, 3]] as Array<[number, number]>) {
      matchesStock(
        t,
        k,
        `${method} ${crop}`,
        () => tf.image.cropAndResize(images as tf.Tensor4D, boxes as tf.Tensor2D, indexes as tf.Tensor1D, crop, method, 0.25),
        1e-7,
        'CropAndResize',
      );
    }
  }
  tf.dispose([images, boxes, indexes]);
});

nativeTest('comparisons match the stock kernels on float32 and int32, with broadcasting and NaN', (t, k) => {
  const ids = tf.tensor1d([0, 1, 2, 0, 1, 2, 3, 3], 'int32');
  const a = tf.concat([tf.round(normal([40], 1)), tf.tensor1d([Number.NaN, 0, -0])]);
  const b = tf.concat([tf.round(normal([40], 2)), tf.tensor1d([Number.NaN, -0, Number.NaN])]);
  const ops: Array<[string, (x: tf.Tensor, y: tf.Tensor) => tf.Tensor]> = [
    ['Equal', tf.equal],
    ['NotEqual', tf.notEqual],
    ['Greater', tf.greater],
    ['GreaterEqual', tf.greaterEqual],
    ['Less', tf.less],
    ['LessEqual', tf.lessEqual],
  ];
  for (const [name, op] of ops) {
    matchesStock(t, k, `${name} int32 mask`, () => op(tf.reshape(ids, [8, 1]), tf.reshape(ids, [1, 8])), 0, name);
    matchesStock(t, k, `${name} float32`, () => op(a, b), 0, name);
    matchesStock(t, k, `${name} float32 scalar`, () => op(a, tf.scalar(0.5)), 0, name);
  }
  const big = tf.tensor1d([2 ** 25, 1], 'int32');
  k.resetStats();
  matchesStock(t, k, 'int32 beyond float precision', () => tf.equal(big, tf.tensor1d([2 ** 25 + 1, 1], 'int32')), 0);
  t.truthy(k.stats().Equal?.reasons['int32 beyond exact float range']);
  tf.dispose([ids, a, b, big]);
});

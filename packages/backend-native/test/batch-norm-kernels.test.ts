// The fused batch-norm kernels against a float64 reference of the same formulas.
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from '../src/index.js';
import { nativeTest, normal, relativeError, tf } from './helpers.js';

/** Float64 batch norm over [m, c] rows: y, mean, biased variance, rstd, and the gradient for dy. */
function reference(x: Float32Array, dy: Float32Array, gamma: Float32Array | undefined, beta: Float32Array | undefined, c: number, eps: number) {
  const m = x.length / c;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let i = 0; i < m; i++) for (let j = 0; j < c; j++) mean[j]! += x[i * c + j]! / m;
  for (let i = 0; i < m; i++) for (let j = 0; j < c; j++) variance[j]! += (x[i * c + j]! - mean[j]!) ** 2 / m;
  const rstd = variance.map((v) => 1 / Math.sqrt(v + eps));
  const y = new Float64Array(x.length);
  const xhat = new Float64Array(x.length);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < c; j++) {
      xhat[i * c + j] = (x[i * c + j]! - mean[j]!) * rstd[j]!;
      y[i * c + j] = xhat[i * c + j]! * (gamma?.[j] ?? 1) + (beta?.[j] ?? 0);
    }
  }
  const dBeta = new Float64Array(c);
  const dGamma = new Float64Array(c);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < c; j++) {
      dBeta[j]! += dy[i * c + j]!;
      dGamma[j]! += dy[i * c + j]! * xhat[i * c + j]!;
    }
  }
  const dx = new Float64Array(x.length);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < c; j++) {
      const s = (gamma?.[j] ?? 1) * rstd[j]!;
      dx[i * c + j] = s * (dy[i * c + j]! - dBeta[j]! / m - (xhat[i * c + j]! * dGamma[j]!) / m);
    }
  }
  return { y, mean, variance, rstd, dx, dGamma, dBeta };
}

const f32 = (v: Float64Array) => Float32Array.from(v);

for (const affine of [true, false]) {
  nativeTest(`fused batch norm (${affine ? 'affine' : 'no affine'}) matches a float64 reference, forward and gradient`, (t) => {
    // [shape, seed, scale, offset, gradient tolerance]: the last has a mean 1000× its spread,
    // where a naive one-pass variance E[x²] − E[x]² loses every digit. Its gradients are only as
    // good as the float32 mean they are given (the composed version's x − μ is float32 too).
    for (const [shape, seed, scale, offset, gradTolerance] of [
      [[4, 5, 6, 8], 1, 3, 2, 1e-5],
      [[64, 3], 2, 3, 2, 1e-5],
      [[2, 70, 60, 17], 3, 3, 2, 1e-5],
      [[32, 9, 5], 4, 0.01, 10, 2e-4],
    ] as Array<[number[], number, number, number, number]>) {
      const c = shape.at(-1)!;
      tf.tidy(() => {
        const x = tf.add(tf.mul(normal(shape, seed), scale), offset);
        const dy = normal(shape, seed + 10);
        const gamma = affine ? normal([c], seed + 20) : undefined;
        const beta = affine ? normal([c], seed + 30) : undefined;
        const inputs: tf.NamedTensorMap = affine ? { x, gamma: gamma!, beta: beta! } : { x };
        const [y, mean, variance, rstd] = tf.engine().runKernel(BATCH_NORM_TRAINING, inputs, { epsilon: 1e-5 }) as tf.Tensor[];
        const gradInputs: tf.NamedTensorMap = affine ? { dy, x, mean: mean!, rstd: rstd!, gamma: gamma! } : { dy, x, mean: mean!, rstd: rstd! };
        const grads = tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, gradInputs, {}) as tf.Tensor[];
        t.is(grads.length, affine ? 3 : 1);
        const ref = reference(
          x.dataSync() as Float32Array,
          dy.dataSync() as Float32Array,
          gamma?.dataSync() as Float32Array | undefined,
          beta?.dataSync() as Float32Array | undefined,
          c,
          1e-5,
        );
        const check = (label: string, got: tf.Tensor, want: Float64Array, tolerance: number) => {
          const error = relativeError(got.dataSync() as Float32Array, f32(want));
          t.true(error < tolerance, `${JSON.stringify(shape)} ${label}: error ${error}`);
        };
        t.deepEqual(y!.shape, shape);
        check('y', y!, ref.y, 1e-5);
        check('mean', mean!, ref.mean, 1e-6);
        check('variance', variance!, ref.variance, 1e-5);
        check('rstd', rstd!, ref.rstd, 1e-5);
        check('dx', grads[0]!, ref.dx, gradTolerance);
        if (affine) {
          check('dGamma', grads[1]!, ref.dGamma, gradTolerance);
          check('dBeta', grads[2]!, ref.dBeta, 1e-5);
        }
      });
    }
  });
}

nativeTest('fused batch norm refuses mismatched shapes with a clear error (it has no stock kernel)', (t) => {
  const x = normal([4, 3], 1);
  const gamma = normal([5], 2);
  const beta = normal([5], 3);
  const error = t.throws(() => tf.engine().runKernel(BATCH_NORM_TRAINING, { x, gamma, beta }, { epsilon: 1e-5 }));
  t.regex(error!.message, /SempairBatchNormTraining: gamma\/beta not per channel/);
  tf.dispose([x, gamma, beta]);
});

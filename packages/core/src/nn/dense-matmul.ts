import * as tf from '@tensorflow/tfjs-core';

/**
 * y = x·W (+ b) for x [M, K], W [K, N], b [N], with a gradient built only from untransposed
 * 2-D matMuls: dx = dy·transpose(W), dW = transpose(x)·dy, db = 1ᵀ·dy.
 *
 * Why: tfjs-backend-wasm runs BatchMatMul through XNNPACK only when neither operand is
 * transposed and there is no batch; tfjs' own matMul gradient asks for transposeA/transposeB,
 * which falls back to a scalar loop about 10× slower (measured: [2080, 192]·[192, 576] 40 ms
 * untransposed vs 400 ms transposed). An explicit transpose costs a few ms. On other backends
 * this is the same arithmetic.
 */
export function denseMatMul(x: tf.Tensor2D, w: tf.Tensor2D, bias?: tf.Tensor): tf.Tensor2D {
  const rows = x.shape[0];
  const product = tf.customGrad((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [a, b, c] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor | undefined];
    save([a, b]);
    const value = tf.fused.matMul({ a, b, bias: bias === undefined ? undefined : c });
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [aS, bS] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      const dx = tf.matMul(dy2, tf.transpose(bS));
      const dw = tf.matMul(tf.transpose(aS), dy2);
      if (bias === undefined) return [dx, dw];
      return [dx, dw, tf.reshape(tf.matMul(tf.ones([1, rows]) as tf.Tensor2D, dy2), bias.shape)];
    };
    return { value, gradFunc };
  });
  const inputs = bias === undefined ? [x, w] : [x, w, bias];
  return (product as (...t: tf.Tensor[]) => tf.Tensor)(...inputs) as tf.Tensor2D;
}

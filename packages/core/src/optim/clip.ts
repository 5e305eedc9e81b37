import * as tf from '@tensorflow/tfjs-core';

/** √Σ‖g‖², a scalar tensor (no download). */
export function globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (grads.length === 0) return tf.scalar(0);
    return tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
  });
}

/**
 * PyTorch's clip_grad_norm_: scale every gradient by min(1, maxNorm / (‖g‖ + 1e-6)) where ‖g‖
 * is the global norm. Returns new tensors (the caller owns them) and the norm before clipping.
 * The comparison stays on the device, so no synchronisation is needed.
 */
export function clipByGlobalNorm(grads: readonly tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: tf.Scalar } {
  return tf.tidy(() => {
    const norm = globalNorm(grads);
    const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    return { grads: grads.map((g) => tf.mul(g, coef)), norm };
  });
}

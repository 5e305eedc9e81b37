import * as tf from '@tensorflow/tfjs-core';

/** Per-dimension affine map x ↦ (x − mean)·invStd, fitted on training features only. */
export interface Standardizer {
  mean: tf.Tensor1D;
  invStd: tf.Tensor1D;
}

/**
 * Fits mean and 1/std per feature dimension on `x` [N, D]. Dimensions that are constant on the
 * training set (dead ReLUs) get invStd 0: they carry nothing, and dividing by a near-zero std
 * would blow up whatever value they take at test time.
 */
export function fitStandardizer(x: tf.Tensor2D): Standardizer {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, 0);
    const std = tf.sqrt(variance);
    // "Constant" is relative to the spread of the other dimensions.
    const floor = tf.add(tf.mul(tf.max(std), 1e-6), 1e-12);
    const invStd = tf.where(tf.greater(std, floor), tf.div(1, tf.maximum(std, floor)), tf.zerosLike(std));
    return { mean: mean as tf.Tensor1D, invStd: invStd as tf.Tensor1D };
  });
}

export function standardize(x: tf.Tensor2D, s: Standardizer): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.sub(x, s.mean), s.invStd));
}

export function disposeStandardizer(s: Standardizer): void {
  tf.dispose([s.mean, s.invStd]);
}

import * as tf from '@tensorflow/tfjs-core';

/**
 * Row-wise z / max(‖z‖, 1e-12), PyTorch's F.normalize. Written as z·rsqrt(max(‖z‖², 1e-24)) so
 * that a zero row has a finite (zero) gradient instead of the 0/0 of sqrt's derivative.
 */
export function l2Normalize(z: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(z, tf.rsqrt(tf.maximum(tf.sum(tf.square(z), 1, true), 1e-24))));
}

import * as tf from '@tensorflow/tfjs-core';

/** Row-wise z / max(‖z‖, 1e-12) (PyTorch's F.normalize), with a finite gradient at zero rows. */
export function l2Normalize(z: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(z, tf.rsqrt(tf.maximum(tf.sum(tf.square(z), 1, true), 1e-24))));
}

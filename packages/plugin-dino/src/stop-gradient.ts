import * as tf from '@tensorflow/tfjs-core';

// customGrad's callback receives the inputs followed by a save function.
const detach = tf.customGrad(((input: tf.Tensor) => ({
  value: tf.clone(input),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]);

/** Identity whose gradient is zero: PyTorch's `.detach()` (tfjs has no stopGradient op). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detach(x) as T;
}

import * as tf from '@tensorflow/tfjs-core';

export type ActivationName = 'relu' | 'gelu';

/** Exact GELU, x·Φ(x) = ½x(1 + erf(x/√2)) as PyTorch's default; tfjs has Erf on cpu and wasm. */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)) as T);
}

export function activation<T extends tf.Tensor>(name: ActivationName, x: T): T {
  return name === 'relu' ? tf.relu(x) : gelu(x);
}

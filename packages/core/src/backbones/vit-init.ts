import * as tf from '@tensorflow/tfjs-core';
import type { Linear } from '../nn/linear.js';
import type { Rng } from '../rng.js';

/**
 * DINO's and timm's ViT initialisation (`_init_weights`): Linear weights truncated normal with
 * std 0.02 and zero biases; the tokens and position embeddings truncated normal with std 0.02.
 */

/** Std of every truncated-normal ViT initialisation. */
export const VIT_INIT_STD = 0.02;

/**
 * N(0, std²) redrawn outside [−bound, bound], as timm's `trunc_normal_(t, std=std)` whose bounds
 * a = −2, b = 2 are absolute values, not multiples of std (so with std 0.02 nothing is ever cut).
 */
export function truncatedNormalInit(shape: number[], std: number, rng: Rng, bound = 2): tf.Tensor {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) {
    let v = rng.normal(0, std);
    while (Math.abs(v) > bound) v = rng.normal(0, std);
    values[i] = v;
  }
  return tf.tensor(values, shape, 'float32');
}

/** Re-initialises a Linear the ViT way: W ~ truncated N(0, 0.02²), b = 0. */
export function initVitLinear(linear: Linear, rng: Rng): void {
  tf.tidy(() => {
    linear.weight.assign(truncatedNormalInit(linear.weight.shape, VIT_INIT_STD, rng));
    linear.bias?.assign(tf.zerosLike(linear.bias));
  });
}

import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';

/**
 * Initialisers drawn from the run's Rng (not tfjs' own seeds) so a model is a pure function of
 * the seed, and with PyTorch's formulas so numbers are comparable with reference runs.
 */

/** U(-bound, bound): PyTorch's default for Linear/Conv weights and biases (bound = 1/√fan_in). */
export function uniformInit(shape: number[], bound: number, rng: Rng): tf.Tensor {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.uniform(-bound, bound);
  return tf.tensor(values, shape, 'float32');
}

/** N(0, std²): kaiming normal, as torchvision's ResNet initialises its convolutions. */
export function normalInit(shape: number[], std: number, rng: Rng): tf.Tensor {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.normal(0, std);
  return tf.tensor(values, shape, 'float32');
}

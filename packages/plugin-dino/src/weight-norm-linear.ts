import * as tf from '@tensorflow/tfjs-core';
import { denseMatMul, uniformInit, type ParameterSet, type Rng } from '@sempair/core';

/**
 * A bias-free Linear under PyTorch's `weight_norm`: W = g · v / ‖v‖, the norm taken per output
 * unit. `weight_v` is stored [in, out] like core's Linear (PyTorch's [out, in] transposed) and
 * `weight_g` [1, out] (PyTorch's [out, 1] transposed). DINO fills g with 1; with
 * `norm_last_layer` g stays fixed (role 'buffer': checkpointed, never trained), so every
 * prototype is a unit vector.
 */
export class WeightNormLinear {
  readonly weightV: tf.Variable;
  readonly weightG: tf.Variable;

  constructor(params: ParameterSet, name: string, readonly inDim: number, readonly outDim: number, rng: Rng, { trainableNorm = false } = {}) {
    // v keeps nn.Linear's default init; weight_norm computes g from it, which DINO overwrites with 1.
    this.weightV = params.add(`${name}.weight_v`, uniformInit([inDim, outDim], 1 / Math.sqrt(inDim), rng), 'weight');
    this.weightG = params.add(`${name}.weight_g`, tf.ones([1, outDim]), trainableNorm ? 'weight' : 'buffer');
  }

  /** W = g · v / ‖v‖ (columns), [in, out]. */
  weight(): tf.Tensor2D {
    return tf.tidy(() => tf.mul(this.weightG, tf.div(this.weightV, tf.sqrt(tf.sum(tf.square(this.weightV), 0, true)))) as tf.Tensor2D);
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => denseMatMul(x, this.weight()));
  }
}

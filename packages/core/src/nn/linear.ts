import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import { denseMatMul } from './dense-matmul.js';
import { uniformInit } from './init.js';
import type { ParameterSet } from './parameters.js';

export interface LinearOptions {
  /** Add a bias (default true). */
  bias?: boolean;
}

/**
 * Fully connected layer y = x·W + b. W is stored [inDim, outDim] (the transpose of PyTorch's
 * [out, in]) so the forward pass is a plain matMul. Weights and bias start U(-1/√in, 1/√in),
 * which is PyTorch's kaiming_uniform(a=√5) default.
 */
export class Linear {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;

  constructor(
    params: ParameterSet,
    name: string,
    readonly inDim: number,
    readonly outDim: number,
    rng: Rng,
    opts: LinearOptions = {},
  ) {
    const bound = 1 / Math.sqrt(inDim);
    this.weight = params.add(`${name}.weight`, uniformInit([inDim, outDim], bound, rng), 'weight');
    this.bias = opts.bias ?? true ? params.add(`${name}.bias`, uniformInit([outDim], bound, rng), 'bias') : undefined;
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    // One fused matMul+bias forward; a gradient of untransposed matMuls (fast on wasm).
    return denseMatMul(x, this.weight as tf.Tensor2D, this.bias);
  }
}

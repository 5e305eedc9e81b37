import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import { normalInit, uniformInit } from './init.js';
import type { ParameterSet } from './parameters.js';

export type Conv2dPadding = 'same' | 'valid' | number;

export interface Conv2dOptions {
  stride?: number;
  /**
   * A number pads that many zeros on every side, exactly like PyTorch's `padding=p`
   * (TensorFlow's 'same' pads asymmetrically for even inputs with stride 2, so ResNet
   * uses numbers). Default: kernel >> 1, PyTorch's usual "keep size at stride 1".
   */
  padding?: Conv2dPadding;
  /** Add a bias (default false: ResNet convolutions are followed by batch norm). */
  bias?: boolean;
}

/**
 * 2-D convolution, NHWC, filter [kh, kw, in, out]. Weights start kaiming normal
 * (fan_out, relu): N(0, 2/(out·k·k)), as torchvision's ResNet initialises them; a bias, if
 * any, keeps PyTorch's U(-1/√fan_in, 1/√fan_in).
 */
export class Conv2d {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly stride: number;
  readonly padding: Conv2dPadding;

  constructor(
    params: ParameterSet,
    name: string,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
    rng: Rng,
    opts: Conv2dOptions = {},
  ) {
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? kernel >> 1;
    const std = Math.sqrt(2 / (outChannels * kernel * kernel));
    this.weight = params.add(`${name}.weight`, normalInit([kernel, kernel, inChannels, outChannels], std, rng), 'weight');
    this.bias = opts.bias
      ? params.add(`${name}.bias`, uniformInit([outChannels], 1 / Math.sqrt(inChannels * kernel * kernel), rng), 'bias')
      : undefined;
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    // A numeric pad is symmetric in tfjs' conv2d and its gradients (floor output size, like PyTorch).
    const y = tf.conv2d(x, this.weight as tf.Tensor4D, this.stride, this.padding);
    return this.bias ? tf.add(y, this.bias) : y;
  }
}

import * as tf from '@tensorflow/tfjs-core';
import { ParameterSet } from '../nn/parameters.js';

/**
 * The linear classifier put on the backbone for fine-tuning, y = f·W + b, in its own parameter
 * set (never part of the run's checkpoint). W and b start at zero, as MAE/BEiT start their
 * fine-tuning heads (near) zero: the first logits are uniform (loss ln K) and the head's first
 * gradients come from the features alone, so no random head sends noise back into pre-trained
 * weights. The backbone gets gradient from the second step on, once W is non-zero.
 */
export class FineTuneHead {
  readonly params = new ParameterSet('finetune');
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;

  constructor(
    readonly inDim: number,
    readonly classes: number,
  ) {
    this.weight = this.params.add('head.weight', tf.zeros([inDim, classes]), 'weight');
    this.bias = this.params.add('head.bias', tf.zeros([classes]), 'bias');
  }

  /** Logits [N, classes] of features [N, inDim]. */
  apply(features: tf.Tensor2D): tf.Tensor2D {
    return tf.fused.matMul({ a: features, b: this.weight as tf.Tensor2D, bias: this.bias }) as tf.Tensor2D;
  }

  dispose(): void {
    this.params.dispose();
  }
}

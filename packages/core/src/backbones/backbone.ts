import type * as tf from '@tensorflow/tfjs-core';
import type { ParameterSet } from '../nn/parameters.js';
import type { OptionSchema, OptionValues } from '../options.js';
import type { Rng } from '../rng.js';

/** A feature extractor: images [B, H, W, C] (normalised float32) → features [B, featureDim]. */
export interface Backbone {
  readonly id: string;
  readonly featureDim: number;
  /** Every variable of the backbone, under the scope it was built in (trainable and buffers). */
  readonly params: ParameterSet;
  /** `training` uses batch statistics and updates the running ones; otherwise running statistics. */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
}

export interface BackboneContext {
  rng: Rng;
  /** Parameters are registered under this set (usually scope `backbone`). */
  params: ParameterSet;
  /** Input images [H, W, C] the backbone will see. */
  inputShape: readonly [number, number, number];
}

export interface BackboneDefinition {
  id: string;
  description: string;
  options: OptionSchema;
  build(options: OptionValues, context: BackboneContext): Backbone;
}

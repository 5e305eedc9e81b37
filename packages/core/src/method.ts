import type * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from './backbones/backbone.js';
import type { ParameterSet } from './nn/parameters.js';
import type { TrainingOptions } from './optim/training-options.js';
import type { OptionSchema, OptionValues } from './options.js';
import type { Rng } from './rng.js';
import type { Batch } from './train/batch.js';

/** Where training stands when a method is called. `step` counts optimiser steps from 0. */
export interface StepState {
  step: number;
  epoch: number;
  stepsPerEpoch: number;
  totalSteps: number;
  epochs: number;
}

export interface MethodContext {
  backbone: Backbone;
  /**
   * Builds another backbone of the run's architecture and options into `params` (pass a
   * frozen scope for an EMA target or teacher; copy the online weights in yourself).
   */
  buildBackbone(params: ParameterSet): Backbone;
  /** The method registers its heads (and buffers such as EMA copies) here, scope `head`. */
  params: ParameterSet;
  options: OptionValues;
  rng: Rng;
  batchSize: number;
  stepsPerEpoch: number;
  totalSteps: number;
  epochs: number;
}

export interface StepOutput {
  loss: tf.Scalar;
  /** Extra scalars logged to metrics.jsonl (loss terms, collapse monitors, temperatures). */
  metrics?: Record<string, tf.Scalar>;
}

export interface Method {
  /**
   * Forward pass on a batch, called inside the trainer's gradient tape; gradients flow to
   * every trainable parameter of the backbone and of the method's `params`.
   */
  loss(batch: Batch, state: StepState): StepOutput;
  /** After each optimiser step: EMA targets, centers, schedules. */
  afterStep?(state: StepState): void;
  /** Trainable parameter names to hold fixed at this step (e.g. DINO's last layer in epoch 0). */
  frozen?(state: StepState): ReadonlySet<string>;
  dispose?(): void;
}

/** A self-supervised method, as a plugin registers it. */
export interface MethodDefinition {
  id: string;
  description: string;
  /** Method-specific options (temperature, head sizes, …) with defaults. */
  options: OptionSchema;
  /** Optimiser defaults from REFERENCE.md for this method. */
  training: Partial<TrainingOptions>;
  /**
   * Defaults that replace `training` for some backbones (DINO: AdamW for ViTs, LARS for
   * ResNets). The first entry whose `backbone` prefix matches the run's backbone id applies.
   */
  backboneTraining?: ReadonlyArray<{ backbone: string; training: Partial<TrainingOptions> }>;
  /** Id of the augmentation preset the method uses by default. */
  augmentation: string;
  create(context: MethodContext): Method;
}

/** A method's training defaults for a backbone: `training`, then a matching `backboneTraining`. */
export function methodTraining(method: MethodDefinition, backboneId: string): Partial<TrainingOptions> {
  const special = method.backboneTraining?.find((entry) => backboneId.startsWith(entry.backbone));
  return { ...method.training, ...special?.training };
}

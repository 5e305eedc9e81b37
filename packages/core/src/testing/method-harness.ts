import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../backbones/backbone.js';
import type { Method, MethodContext, MethodDefinition, StepState } from '../method.js';
import { Linear } from '../nn/linear.js';
import { ParameterSet } from '../nn/parameters.js';
import { resolveOptions, type OptionValues } from '../options.js';
import { Rng } from '../rng.js';
import type { Batch } from '../train/batch.js';

/** Global average pool → Linear(3 → 6), recording the `training` flag of every call. */
export function tinyBackbone(params: ParameterSet): Backbone & { modes: boolean[] } {
  const fc = new Linear(params, 'fc', 3, 6, new Rng(1));
  const modes: boolean[] = [];
  return {
    id: 'tiny',
    featureDim: 6,
    params,
    modes,
    apply(x, training) {
      modes.push(training);
      return tf.tidy(() => fc.apply(tf.mean(x, [1, 2]) as tf.Tensor2D));
    },
  };
}

export interface MethodHarness {
  root: ParameterSet;
  backbone: Backbone & { modes: boolean[] };
  ctx: MethodContext;
  method: Method;
  /** `views` random 4×4 RGB views of `batchSize` pairs, each pair its own positive id. */
  batch: Batch;
  state: StepState;
  dispose(): void;
}

/**
 * A method created on a tiny backbone with one random batch: what a method plugin's tests (the
 * built-in ones and a stranger's alike) need to check a loss, its gradients and its leaks
 * without a trainer or a dataset.
 */
export function methodHarness(
  definition: MethodDefinition,
  { options = {}, views = 2, batchSize = 4, totalSteps = 1 }: { options?: OptionValues; views?: number; batchSize?: number; totalSteps?: number } = {},
): MethodHarness {
  const root = new ParameterSet();
  const backbone = tinyBackbone(root.scope('backbone'));
  const ctx: MethodContext = {
    backbone,
    buildBackbone: (into) => tinyBackbone(into),
    params: root.scope('head'),
    options: resolveOptions(definition.options, options, `method ${definition.id}`),
    rng: new Rng(0),
    batchSize,
    stepsPerEpoch: totalSteps,
    totalSteps,
    epochs: 1,
  };
  const method = definition.create(ctx);
  const rng = new Rng(2);
  const b = batchSize;
  const batch: Batch = {
    views: Array.from({ length: views }, () => tf.tensor4d(Array.from({ length: b * 4 * 4 * 3 }, () => rng.normal()), [b, 4, 4, 3])),
    indexes: tf.tensor1d(Array.from({ length: b }, (_, i) => i), 'int32'),
    labels: tf.tensor1d(Array.from({ length: b }, () => -1), 'int32'),
    size: b,
  };
  const state: StepState = { step: 0, epoch: 0, stepsPerEpoch: totalSteps, totalSteps, epochs: 1 };
  const dispose = (): void => {
    tf.dispose([...batch.views, batch.indexes, batch.labels]);
    root.dispose();
  };
  return { root, backbone, ctx, method, batch, state, dispose };
}

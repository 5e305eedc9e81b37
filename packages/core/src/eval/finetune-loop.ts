import * as tf from '@tensorflow/tfjs-core';
import { augment } from '../augment/augment.js';
import type { ViewPipeline } from '../augment/augmentation.js';
import type { Backbone } from '../backbones/backbone.js';
import type { Dataset } from '../data/dataset.js';
import { loadImages } from '../data/load-images.js';
import { UserError } from '../errors.js';
import type { Parameter } from '../nn/parameters.js';
import { createOptimizer } from '../optim/create-optimizer.js';
import { learningRateAt, scheduleFromOptions } from '../optim/learning-rate.js';
import { DEFAULT_TRAINING } from '../optim/training-options.js';
import type { ProgressListener } from '../progress.js';
import type { Rng } from '../rng.js';
import { imagesToTensor } from './extract-features.js';
import { FineTuneHead } from './finetune-head.js';

export type FineTuneOptimizer = 'adamw' | 'sgd';

export interface FineTuneOptions {
  epochs: number;
  batchSize: number;
  optimizer: FineTuneOptimizer;
  /** Peak learning rate, used as given (not scaled by batch/256). */
  lr: number;
  /** AdamW's decoupled decay, or SGD's L2 term; on role 'weight' only (not biases, not norms). */
  weightDecay: number;
  /** Linear warm-up from 0, then cosine to 0 (per step). */
  warmupEpochs: number;
  /** ε of label smoothing: targets (1−ε)·onehot + ε/K. */
  labelSmoothing: number;
  /** Augmentation of every training batch (ends with the normalisation). */
  pipeline: ViewPipeline;
  /** Shuffles the batches and drives the augmentation. */
  rng: Rng;
  progress?: ProgressListener;
}

export interface FineTuneResult {
  /** The trained classifier; the caller disposes it. The backbone is trained in place. */
  head: FineTuneHead;
  steps: number;
  stepsPerEpoch: number;
  batchSize: number;
  /** Mean training loss over the last epoch. */
  finalLoss: number;
  /** Trainable scalars updated (backbone + head). */
  trainedParameters: number;
  seconds: number;
}

const SGD_MOMENTUM = 0.9;

/** Soft targets [b, classes]: (1−ε)·onehot + ε/K. */
function targets(labels: ArrayLike<number>, classes: number, smoothing: number): tf.Tensor2D {
  const values = new Float32Array(labels.length * classes).fill(smoothing / classes);
  for (let r = 0; r < labels.length; r++) values[r * classes + labels[r]!]! += 1 - smoothing;
  return tf.tensor2d(values, [labels.length, classes]);
}

/**
 * Trains the whole network, backbone (in training mode: batch statistics, running statistics
 * updated) and a fresh zero-initialised linear head, with cross-entropy on augmented batches of
 * `dataset` (labels in 0..classes−1, checked by the caller), fed through the backbone every
 * step. The last incomplete batch of an epoch is dropped, as the pre-trainer and PyTorch
 * fine-tuning loaders do, so batch norm never sees a tiny batch. Only the in-memory variables
 * change. A non-finite loss ends in a UserError.
 */
export async function fineTune(
  backbone: Backbone,
  dataset: Dataset,
  classes: number,
  options: FineTuneOptions,
): Promise<FineTuneResult> {
  const n = dataset.size;
  const batchSize = Math.min(options.batchSize, n);
  const stepsPerEpoch = Math.floor(n / batchSize);
  const totalSteps = stepsPerEpoch * options.epochs;
  const schedule = scheduleFromOptions(
    { lr: options.lr, scaleLr: false, warmupEpochs: options.warmupEpochs, warmupStartLr: 0 },
    { batchSize, stepsPerEpoch, epochs: options.epochs },
  );

  const head = new FineTuneHead(backbone.featureDim, classes);
  const trainable: Parameter[] = [...backbone.params.trainable(), ...head.params.trainable()];
  const optimizer = createOptimizer(
    { ...DEFAULT_TRAINING, optimizer: options.optimizer, lr: options.lr, weightDecay: options.weightDecay, momentum: SGD_MOMENTUM, gradClip: 0 },
    trainable,
  );
  const varList = trainable.map((p) => p.variable);
  const started = performance.now();
  let step = 0;
  let finalLoss = NaN;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const order = options.rng.derive('shuffle', epoch).permutation(n);
      let lossSum = 0;
      for (let inEpoch = 0; inEpoch < stepsPerEpoch; inEpoch++) {
        const indexes = order.subarray(inEpoch * batchSize, (inEpoch + 1) * batchSize);
        const batch = await loadImages(dataset, indexes);
        const views = tf.tidy(() =>
          augment(imagesToTensor(batch.images, dataset.shape, batchSize), options.pipeline, options.rng.derive('augment', epoch, inEpoch)),
        );
        const target = targets(batch.labels, classes, options.labelSmoothing);
        let value: tf.Scalar;
        let grads: tf.NamedTensorMap;
        try {
          ({ value, grads } = tf.variableGrads(() => {
            const logSoftmax = tf.logSoftmax(head.apply(backbone.apply(views, true)));
            return tf.neg(tf.mean(tf.sum(tf.mul(target, logSoftmax), 1))) as tf.Scalar;
          }, varList));
        } finally {
          tf.dispose([views, target]);
        }
        const loss = (await value.data())[0]!;
        value.dispose();
        if (!Number.isFinite(loss)) {
          tf.dispose(Object.values(grads));
          throw new UserError(`evaluator finetune: the training loss became ${loss} at step ${step} (epoch ${epoch + 1})`, 'lower lr (e.g. lr=1e-4) or add warmupEpochs');
        }
        optimizer.step(grads, learningRateAt(step, schedule));
        tf.dispose(Object.values(grads));
        lossSum += loss;
        step++;
        const secondsPerStep = (performance.now() - started) / 1000 / step;
        options.progress?.({
          phase: 'finetune',
          epoch: epoch + 1,
          epochs: options.epochs,
          step,
          steps: totalSteps,
          loss,
          imagesPerSecond: batchSize / secondsPerStep,
          etaSeconds: (totalSteps - step) * secondsPerStep,
        });
      }
      finalLoss = lossSum / stepsPerEpoch;
    }
  } catch (error) {
    head.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }
  return {
    head,
    steps: step,
    stepsPerEpoch,
    batchSize,
    finalLoss,
    trainedParameters: trainable.reduce((sum, p) => sum + p.variable.size, 0),
    seconds: (performance.now() - started) / 1000,
  };
}

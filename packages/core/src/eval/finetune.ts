import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset.js';
import { UserError } from '../errors.js';
import type { EvalContext, EvalResult, EvaluatorDefinition } from '../evaluator.js';
import { downstreamOptions } from './downstream.js';
import { extractFeatures } from './extract-features.js';
import { openDownstreamSplits } from './downstream.js';
import type { FineTuneHead } from './finetune-head.js';
import { fineTune, type FineTuneOptimizer } from './finetune-loop.js';
import { fineTuneTrainView } from './finetune-views.js';
import { topKAccuracy } from './top-k.js';

const WHERE = 'evaluator finetune';

/** The training view size: the `size` option, else the images' own (square) size. */
function trainSizeOf(size: number, dataset: Dataset): number {
  if (size > 0) return size;
  const [h, w] = dataset.shape;
  if (h !== w) {
    throw new UserError(`${WHERE}: ${dataset.name} images are ${h}×${w}, training crops are square`, 'set size to the backbone input size, e.g. size=32');
  }
  return h;
}

/**
 * Fine-tuning transfer (the paper's Table 4, DINO ViT-S/8 on CIFAR-10/100 and STL-10): the
 * whole backbone and a new linear head are trained with cross-entropy on the downstream train
 * split, then top-1/top-5 are measured on its test split. Unlike the frozen-feature
 * evaluators, images go through the backbone (in training mode) every step, augmented with a
 * random resized crop and a flip. The backbone is changed in memory only: evaluateRun builds a
 * fresh one from the checkpoint and disposes it afterwards, and nothing is written back.
 * One learning rate for all layers: layer-wise decay (BEiT/MAE ViT fine-tuning) is not part of
 * DeiT's protocol that DINO follows, and needs a per-backbone notion of depth.
 */
export const fineTuneEvaluator: EvaluatorDefinition = {
  id: 'finetune',
  description: 'fine-tuning: train backbone + linear head on the downstream train split (crop, flip), top-1/top-5 on its test split',
  options: {
    ...downstreamOptions,
    epochs: { type: 'integer', default: 10, min: 1, description: 'passes over the training images (each step runs the backbone forward and backward)' },
    batchSize: { type: 'integer', default: 64, min: 2, description: 'images per training step (batch norm needs 2 or more)' },
    optimizer: { type: 'string', default: 'adamw', choices: ['adamw', 'sgd'], description: 'adamw (DeiT/DINO fine-tuning), or sgd with momentum 0.9' },
    // Peak lr, not scaled by batch/256. DeiT's fine-tuning lr (5e-4·batch/512, for hundreds of
    // epochs) would be 6e-5 at batch 64, too slow for a 10-epoch budget on small ResNets; 1e-3 is
    // Adam's usual rate, the linear probe's default, and still leaves pre-trained features usable.
    lr: { type: 'number', default: 1e-3, min: 0, description: 'peak learning rate (warm-up, then cosine to 0), used as given; try 0.03 with sgd' },
    weightDecay: { type: 'number', default: 0.05, min: 0, description: 'weight decay on weights, not biases or norms (DeiT/DINO AdamW 0.05); try 5e-4 with sgd' },
    warmupEpochs: { type: 'number', default: 1, min: 0, description: 'epochs of linear learning-rate warm-up from 0' },
    // 0.2–1 (MoCo v2 / VICReg's crop) rather than ImageNet's 0.08–1: at 32 px and a few epochs an
    // 8% crop is a few pixels of an object, too destructive for a short supervised schedule. The
    // upper end is 1, as in every recipe; one number keeps the check in the schema (before any work).
    minCropScale: {
      type: 'number',
      default: 0.2,
      min: 0.01,
      max: 1,
      description: 'training crops cover this to 1 of the image area (random resized crop); 1 keeps the whole image',
    },
    flip: { type: 'boolean', default: true, description: 'random horizontal flip of training images' },
    labelSmoothing: { type: 'number', default: 0, min: 0, max: 0.99, description: 'label smoothing ε of the cross-entropy (DeiT uses 0.1)' },
  },
  async evaluate(ctx: EvalContext): Promise<EvalResult> {
    const { datasetId, classes, train, test } = await openDownstreamSplits(ctx, 'finetune');
    if (train.dataset.size < 2) {
      throw new UserError(`${WHERE}: ${datasetId} split '${String(ctx.options.trainSplit)}' has 1 image`, 'fine-tuning needs at least 2 (batch statistics); use a larger split');
    }
    const size = Number(ctx.options.size ?? 0);
    const trainSize = trainSizeOf(size, train.dataset);
    const rng = ctx.rng.derive('finetune');
    const trained = await fineTune(ctx.backbone, train.dataset, classes, {
      epochs: ctx.options.epochs as number,
      batchSize: ctx.options.batchSize as number,
      optimizer: ctx.options.optimizer as FineTuneOptimizer,
      lr: ctx.options.lr as number,
      weightDecay: ctx.options.weightDecay as number,
      warmupEpochs: ctx.options.warmupEpochs as number,
      labelSmoothing: ctx.options.labelSmoothing as number,
      pipeline: fineTuneTrainView({ size: trainSize, cropScale: [ctx.options.minCropScale as number, 1], flip: ctx.options.flip as boolean, normalization: ctx.normalization }),
      rng,
      progress: ctx.progress,
    });
    const { head } = trained;
    try {
      // Test images, and train images for trainTop1, are only resized and normalised; eval mode.
      const k5 = Math.min(5, classes);
      const testAccuracy = await accuracyOf(ctx, head, test.dataset, trainSize, 'test', [1, k5]);
      const trainAccuracy = await accuracyOf(ctx, head, train.dataset, trainSize, 'train accuracy', [1]);
      return {
        metrics: { top1: testAccuracy[0]!, top5: testAccuracy[1]!, trainTop1: trainAccuracy[0]! },
        details: {
          dataset: datasetId,
          classes,
          top5k: k5,
          trainSize: train.dataset.size,
          testSize: test.dataset.size,
          imageSize: trainSize,
          epochs: ctx.options.epochs,
          steps: trained.steps,
          batchSize: trained.batchSize,
          finalTrainLoss: trained.finalLoss,
          trainedParameters: trained.trainedParameters,
          trainSeconds: Number(trained.seconds.toFixed(2)),
        },
      };
    } finally {
      head.dispose();
    }
  },
};

/** Top-k accuracies (percent) of backbone + head on every image of `dataset`, in eval mode. */
async function accuracyOf(ctx: EvalContext, head: FineTuneHead, dataset: Dataset, size: number, phase: string, ks: number[]): Promise<number[]> {
  const { features, labels } = await extractFeatures(ctx.backbone, dataset, {
    batchSize: Number(ctx.options.featureBatchSize ?? 256),
    normalization: ctx.normalization,
    size,
    progress: ctx.progress,
    phase,
  });
  const logits = tf.tidy(() => head.apply(features));
  features.dispose();
  try {
    const accuracies: number[] = [];
    for (const k of ks) accuracies.push(await topKAccuracy(logits, labels, k));
    return accuracies;
  } finally {
    logits.dispose();
  }
}

import * as tf from '@tensorflow/tfjs-core';
import type { EvalContext, EvalResult, EvaluatorDefinition } from '../evaluator.js';
import { downstreamFeatures, downstreamOptions } from './downstream.js';
import { knnScores } from './knn-classify.js';
import { topKAccuracy } from './top-k.js';

/**
 * Weighted kNN evaluation (InstDisc / DINO): test images are classified by a vote of their k
 * most cosine-similar training images, each weighted exp(sim/T). No training, no
 * hyper-parameters beyond k and T, so it is a quick, optimiser-free read of the features.
 */
export const knnEvaluator: EvaluatorDefinition = {
  id: 'knn',
  description: 'weighted k-nearest-neighbour classifier on frozen features (k 20, T 0.07), top-1/top-5',
  options: {
    ...downstreamOptions,
    k: { type: 'integer', default: 20, min: 1, description: 'neighbours that vote' },
    temperature: { type: 'number', default: 0.07, min: 1e-6, description: 'vote weight exp(cos/T)' },
    chunk: { type: 'integer', default: 256, min: 1, description: 'test rows per similarity block (memory)' },
  },
  async evaluate(ctx: EvalContext): Promise<EvalResult> {
    const { train, test, classes, datasetId } = await downstreamFeatures(ctx, 'knn');
    let scores: tf.Tensor2D | undefined;
    try {
      scores = knnScores(train.features, train.labels, test.features, {
        k: ctx.options.k as number,
        temperature: ctx.options.temperature as number,
        classes,
        chunk: ctx.options.chunk as number,
      });
      const k5 = Math.min(5, classes);
      return {
        metrics: { top1: await topKAccuracy(scores, test.labels, 1), top5: await topKAccuracy(scores, test.labels, k5) },
        details: {
          dataset: datasetId,
          classes,
          top5k: k5,
          k: Math.min(ctx.options.k as number, train.labels.length),
          temperature: ctx.options.temperature,
          trainSize: train.labels.length,
          testSize: test.labels.length,
          featureDim: train.features.shape[1],
        },
      };
    } finally {
      tf.dispose([train.features, test.features]);
      scores?.dispose();
    }
  },
};

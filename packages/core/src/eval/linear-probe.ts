import * as tf from '@tensorflow/tfjs-core';
import type { EvalContext, EvalResult, EvaluatorDefinition } from '../evaluator.js';
import { downstreamFeatures, downstreamOptions } from './downstream.js';
import { trainLinearClassifier, type LinearClassifier, type ProbeOptimizer } from './linear-classifier.js';
import { disposeStandardizer, fitStandardizer, standardize } from './standardize.js';
import { topKAccuracy } from './top-k.js';

/**
 * Linear evaluation: a softmax classifier on frozen, standardised backbone features of the
 * downstream train split, accuracy on its test split. Features are extracted once (no
 * augmentation), so the probe is plain logistic regression and takes seconds.
 */
export const linearProbeEvaluator: EvaluatorDefinition = {
  id: 'linear',
  description: 'linear probe: softmax regression on frozen features, top-1/top-5 on the test split',
  options: {
    ...downstreamOptions,
    epochs: { type: 'integer', default: 100, min: 1, description: 'passes over the training features' },
    batchSize: { type: 'integer', default: 256, min: 1, description: 'classifier mini-batch size' },
    optimizer: { type: 'string', default: 'adam', choices: ['adam', 'sgd'], description: 'adam, or sgd with momentum 0.9' },
    lr: { type: 'number', default: 1e-3, min: 0, description: 'peak learning rate (cosine to 0); try 0.1 with sgd' },
    weightDecay: { type: 'number', default: 0, min: 0, description: 'L2 penalty on the weights' },
  },
  async evaluate(ctx: EvalContext): Promise<EvalResult> {
    const data = await downstreamFeatures(ctx, 'linear');
    const { train, test, classes } = data;
    const scaler = fitStandardizer(train.features);
    const trainX = standardize(train.features, scaler);
    const testX = standardize(test.features, scaler);
    tf.dispose([train.features, test.features]);
    disposeStandardizer(scaler);
    let classifier: LinearClassifier | undefined;
    try {
      classifier = await trainLinearClassifier(trainX, train.labels, classes, {
        epochs: ctx.options.epochs as number,
        batchSize: ctx.options.batchSize as number,
        lr: ctx.options.lr as number,
        weightDecay: ctx.options.weightDecay as number,
        optimizer: ctx.options.optimizer as ProbeOptimizer,
        rng: ctx.rng.derive('linear-probe'),
        progress: ctx.progress,
      });
      const trained = classifier;
      const accuracy = async (x: tf.Tensor2D, labels: Int32Array, k: number): Promise<number> => {
        const logits = trained.logits(x);
        try {
          return await topKAccuracy(logits, labels, k);
        } finally {
          logits.dispose();
        }
      };
      // With fewer than 5 classes "top5" is top-(classes), i.e. 100%; details say which k.
      const k5 = Math.min(5, classes);
      return {
        metrics: {
          top1: await accuracy(testX, test.labels, 1),
          top5: await accuracy(testX, test.labels, k5),
          trainTop1: await accuracy(trainX, train.labels, 1),
        },
        details: {
          dataset: data.datasetId,
          classes,
          top5k: k5,
          trainSize: train.labels.length,
          testSize: test.labels.length,
          featureDim: trainX.shape[1],
        },
      };
    } finally {
      classifier?.dispose();
      tf.dispose([trainX, testX]);
    }
  },
};

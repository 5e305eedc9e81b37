import * as tf from '@tensorflow/tfjs-core';
import { embeddingStd, mlp, pairCosines, resolveOptions, type Method, type MethodContext, type MethodDefinition } from '@sempair/core';
import { simclrLoss } from './simclr-loss.js';

/**
 * SimCLR (Chen et al. 2020) with solo-learn's CIFAR preset: a Lin→ReLU→Lin projector on the
 * backbone features and the NT-Xent loss over all views of the batch. With semantic pairs the
 * batch's `indexes` already say which rows are positives, so the method is unchanged.
 */
export const simclrDefinition: MethodDefinition = {
  id: 'simclr',
  description: 'SimCLR: contrastive NT-Xent loss over all views (supervised-contrastive when indexes are classes)',
  options: {
    temperature: { type: 'number', default: 0.2, min: 1e-4, description: 'softmax temperature τ of the NT-Xent loss' },
    projHiddenDim: { type: 'integer', default: 2048, min: 1, description: 'hidden width of the projector' },
    projOutputDim: { type: 'integer', default: 256, min: 1, description: 'output width of the projector (the loss space)' },
  },
  training: { optimizer: 'lars', lr: 0.4, weightDecay: 1e-4, larsEta: 0.02, warmupEpochs: 10 },
  augmentation: 'symmetric',
  create(ctx: MethodContext): Method {
    const options = resolveOptions(simclrDefinition.options, ctx.options, 'method simclr');
    const temperature = options.temperature as number;
    const dims = [ctx.backbone.featureDim, options.projHiddenDim as number, options.projOutputDim as number];
    // Named projector.0 / projector.2 like solo-learn's nn.Sequential, so weights line up.
    const projector = mlp(ctx.params, 'projector', dims, ctx.rng.derive('simclr', 'projector'), { activation: 'relu' });

    return {
      loss(batch) {
        return tf.tidy(() => {
          // One backbone pass per view, so batch-norm statistics are per view as in solo-learn.
          const zs = batch.views.map((view) => projector.apply(ctx.backbone.apply(view, true), true));
          const z = tf.concat(zs, 0);
          // Rows are stacked view by view, so the ids repeat once per view.
          const indexes = tf.concat(batch.views.map(() => batch.indexes), 0);
          const loss = simclrLoss(z, indexes, temperature);
          const cosines = pairCosines(z, indexes);
          return {
            loss,
            metrics: { z_std: embeddingStd(zs), pos_cos: cosines.positive, neg_cos: cosines.negative },
          };
        });
      },
    };
  },
};

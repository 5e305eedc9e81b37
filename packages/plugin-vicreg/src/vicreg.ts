import * as tf from '@tensorflow/tfjs-core';
import { embeddingStd, mlp, resolveOptions, type Method, type MethodContext, type MethodDefinition } from '@sempair/core';
import { vicregLoss } from './vicreg-loss.js';

/**
 * VICReg (Bardes et al. 2022) with solo-learn's CIFAR preset: an expander of three Linear layers
 * with BN+ReLU between (2048 wide) on the backbone features, and the variance-invariance-
 * covariance loss between the two branches. views[0] and views[1] are the branches; for semantic
 * pairs they hold the two images of each pair, row by row, so positives follow the batch.
 */
export const vicregDefinition: MethodDefinition = {
  id: 'vicreg',
  description: 'VICReg: variance-invariance-covariance regularisation between two branches',
  options: {
    projHiddenDim: { type: 'integer', default: 2048, min: 1, description: 'hidden width of the expander' },
    projOutputDim: { type: 'integer', default: 2048, min: 1, description: 'output width of the expander (the loss space)' },
    simWeight: { type: 'number', default: 25, min: 0, description: 'weight λ of the invariance (MSE) term' },
    varWeight: { type: 'number', default: 25, min: 0, description: 'weight μ of the variance term' },
    covWeight: { type: 'number', default: 1, min: 0, description: 'weight ν of the covariance term' },
  },
  training: { optimizer: 'lars', lr: 0.3, weightDecay: 1e-4, larsEta: 0.02, warmupEpochs: 10 },
  augmentation: 'vicreg',
  create(ctx: MethodContext): Method {
    const options = resolveOptions(vicregDefinition.options, ctx.options, 'method vicreg');
    const weights = { sim: options.simWeight as number, var: options.varWeight as number, cov: options.covWeight as number };
    const hidden = options.projHiddenDim as number;
    const dims = [ctx.backbone.featureDim, hidden, hidden, options.projOutputDim as number];
    // Lin(0) BN(1) ReLU(2) Lin(3) BN(4) ReLU(5) Lin(6), named like solo-learn's nn.Sequential.
    const projector = mlp(ctx.params, 'projector', dims, ctx.rng.derive('vicreg', 'projector'), {
      batchNorm: true,
      activation: 'relu',
    });

    return {
      loss(batch) {
        if (batch.views.length < 2) {
          throw new Error(`method vicreg needs two views per batch (the two branches), got ${batch.views.length}`);
        }
        return tf.tidy(() => {
          // One backbone pass per branch, so batch-norm statistics are per branch as in solo-learn.
          const z1 = projector.apply(ctx.backbone.apply(batch.views[0]!, true), true);
          const z2 = projector.apply(ctx.backbone.apply(batch.views[1]!, true), true);
          const out = vicregLoss(z1, z2, weights);
          return {
            loss: out.loss,
            metrics: {
              invariance: out.invariance,
              variance: out.variance,
              covariance: out.covariance,
              z_std: embeddingStd([z1, z2]),
            },
          };
        });
      },
    };
  },
};

import * as tf from '@tensorflow/tfjs-core';
import { copyToTwin, embeddingStd, twinPairs, type MethodDefinition } from '@sempair/core';
import { byolLoss } from './byol-loss.js';
import { buildByolHeads, byolDefaults, byolEmaStep, byolHeadDefaults } from './byol-heads.js';

/**
 * BYOL: an online network (backbone, projector, predictor) predicts the EMA target's projection
 * of the other view; loss summed over both view orders. The target backbone and projector are
 * frozen copies (role 'buffer') updated after each optimiser step with
 * τ = 1 − (1 − τ_base)·(cos(πk/K) + 1)/2. For semantic pairs the two images are the two branches.
 */
export const byolDefinition: MethodDefinition = {
  id: 'byol',
  description: 'BYOL: online network predicts an EMA target across the two views (no negatives)',
  options: {
    projHiddenDim: { type: 'integer', default: byolHeadDefaults.projHiddenDim, min: 1, description: 'projector hidden width' },
    projOutputDim: { type: 'integer', default: byolHeadDefaults.projOutputDim, min: 1, description: 'projector output width' },
    predHiddenDim: { type: 'integer', default: byolHeadDefaults.predHiddenDim, min: 1, description: 'predictor hidden width' },
    emaBase: { type: 'number', default: byolDefaults.emaBase, min: 0, max: 1, description: 'EMA momentum at step 0 (cosine to emaFinal)' },
    emaFinal: { type: 'number', default: byolDefaults.emaFinal, min: 0, max: 1, description: 'EMA momentum at the last step' },
  },
  training: { ...byolDefaults.training },
  augmentation: byolDefaults.augmentation,
  create(ctx) {
    const o = ctx.options;
    const heads = buildByolHeads(
      ctx.params,
      ctx.backbone.featureDim,
      { projHiddenDim: o.projHiddenDim as number, projOutputDim: o.projOutputDim as number, predHiddenDim: o.predHiddenDim as number },
      ctx.rng,
    );
    const targetParams = ctx.params.scope('momentum_backbone', { frozen: true });
    const target = ctx.buildBackbone(targetParams);
    const backbonePairs = twinPairs(ctx.backbone.params, targetParams);
    // Start the target as an exact copy of the online network, running statistics included.
    copyToTwin(backbonePairs);
    const trainedPairs = backbonePairs.filter((p) => p.trainable);
    const emaOnline = [...trainedPairs.map((p) => p.online), ...heads.projectorVars];
    const emaTarget = [...trainedPairs.map((p) => p.twin), ...heads.targetProjectorVars];
    let tau = o.emaBase as number;

    return {
      loss(batch) {
        if (batch.views.length < 2) throw new Error('BYOL needs two views per pair');
        return tf.tidy(() => {
          const [v1, v2] = batch.views as [tf.Tensor4D, tf.Tensor4D];
          const project = (v: tf.Tensor4D) => heads.projector.apply(ctx.backbone.apply(v, true), true);
          const z1o = project(v1);
          const z2o = project(v2);
          const p1 = heads.predictor.apply(z1o, true);
          const p2 = heads.predictor.apply(z2o, true);
          // The target's variables are buffers: variableGrads never differentiates through them.
          const z1 = heads.targetProjector.apply(target.apply(v1, true), true);
          const z2 = heads.targetProjector.apply(target.apply(v2, true), true);
          const loss = tf.add(byolLoss(p1, z2), byolLoss(p2, z1)) as tf.Scalar;
          return { loss, metrics: { z_std: embeddingStd([z1o, z2o]), tau: tf.scalar(tau) } };
        });
      },
      afterStep(state) {
        tau = byolEmaStep(emaTarget, emaOnline, state.step, state.totalSteps, o.emaBase as number, o.emaFinal as number);
      },
    };
  },
};

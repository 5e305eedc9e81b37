import * as tf from '@tensorflow/tfjs-core';
import { copyToTwin, emaStep, mlp, twinPairs, type Mlp, type ParameterSet, type Rng } from '@sempair/core';

/** BYOL head sizes (solo-learn CIFAR preset: projector 4096→256, predictor hidden 4096). */
export interface ByolHeadOptions {
  projHiddenDim: number;
  projOutputDim: number;
  predHiddenDim: number;
}

export const byolHeadDefaults: ByolHeadOptions = { projHiddenDim: 4096, projOutputDim: 256, predHiddenDim: 4096 };

/** BYOL method defaults from REFERENCE.md. */
export const byolDefaults = {
  training: { optimizer: 'lars', lr: 1.0, weightDecay: 1e-5, larsEta: 0.02, warmupEpochs: 10 },
  augmentation: 'asymmetric',
  emaBase: 0.99,
  emaFinal: 1.0,
} as const;

/** Online projector + predictor and the EMA target projector (the target backbone is not here). */
export interface ByolHeads {
  projector: Mlp;
  predictor: Mlp;
  targetProjector: Mlp;
  /**
   * Trainable online projector variables (weights, biases, BN affine) and their target copies,
   * pairwise: what solo-learn's MomentumUpdater averages (`parameters()`, not BN running
   * statistics, which the target's own train-mode forward passes keep up to date).
   */
  projectorVars: tf.Variable[];
  targetProjectorVars: tf.Variable[];
}

/**
 * Builds, under `params`: `projector.*` (Lin→BN→ReLU→Lin, trainable), `predictor.*` (same
 * shape, trainable) and `momentum_projector.*` (role 'buffer', copied from the online projector
 * at creation, as solo-learn initialises its momentum projector).
 */
export function buildByolHeads(params: ParameterSet, featureDim: number, opts: ByolHeadOptions, rng: Rng): ByolHeads {
  const projDims = [featureDim, opts.projHiddenDim, opts.projOutputDim];
  const projector = mlp(params, 'projector', projDims, rng.derive('byol', 'projector'), { batchNorm: true, activation: 'relu' });
  const predictor = mlp(params, 'predictor', [opts.projOutputDim, opts.predHiddenDim, opts.projOutputDim], rng.derive('byol', 'predictor'), {
    batchNorm: true,
    activation: 'relu',
  });
  const targetProjector = mlp(params.scope('', { frozen: true }), 'momentum_projector', projDims, rng.derive('byol', 'momentum_projector'), {
    batchNorm: true,
    activation: 'relu',
  });
  // Start the target as an exact copy (deepcopy in solo-learn), running statistics included.
  const pairs = twinPairs(params.scope('projector'), params.scope('momentum_projector'));
  copyToTwin(pairs);
  const trained = pairs.filter((p) => p.trainable);
  return { projector, predictor, targetProjector, projectorVars: trained.map((p) => p.online), targetProjectorVars: trained.map((p) => p.twin) };
}

/**
 * One BYOL EMA step after optimiser step `step` (0-based) of `totalSteps`: τ follows
 * τ = 1 − (1 − base)·(cos(πk/K) + 1)/2, and target ← τ·target + (1−τ)·online for every pair.
 * Pass trainable parameters only (as `ByolHeads.projectorVars`), like solo-learn. Returns the
 * τ that was used.
 */
export function byolEmaStep(
  target: readonly tf.Variable[],
  online: readonly tf.Tensor[],
  step: number,
  totalSteps: number,
  base: number = byolDefaults.emaBase,
  final: number = byolDefaults.emaFinal,
): number {
  return emaStep(target, online, step, totalSteps, base, final);
}

import * as tf from '@tensorflow/tfjs-core';
import { addSlot, applyMomentum, RuleOptimizer, type Optimizer, type Parameter, type UpdateRule } from '@sempair/core';

/** detectron2's SOLVER settings used by the detection recipes. */
export interface SolverSettings {
  iterations: number;
  baseLr: number;
  /** Iterations at which the learning rate is multiplied by `gamma`. */
  steps: readonly number[];
  gamma: number;
  warmupIterations: number;
  /** Warm-up starts at baseLr · warmupFactor and rises linearly. */
  warmupFactor: number;
  momentum: number;
  weightDecay: number;
}

/**
 * WarmupMultiStepLR: baseLr · warmup(i) · gamma^(number of steps ≤ i), where warmup(i) =
 * f·(1 − i/W) + i/W for i < W (linear from the factor f) and 1 afterwards.
 */
export function detectionLr(iteration: number, s: SolverSettings): number {
  let factor = 1;
  if (iteration < s.warmupIterations) {
    const alpha = iteration / s.warmupIterations;
    factor = s.warmupFactor * (1 - alpha) + alpha;
  }
  const passed = s.steps.filter((step) => step <= iteration).length;
  return s.baseLr * factor * s.gamma ** passed;
}

/**
 * detectron2's default optimiser: PyTorch SGD with momentum, weight decay on weights and biases
 * (WEIGHT_DECAY_BIAS defaults to WEIGHT_DECAY) but not on normalisation parameters
 * (WEIGHT_DECAY_NORM 0). Core's sgd rule skips biases too, so this is its own rule.
 */
export function detectionSgd(params: readonly Parameter[], s: Pick<SolverSettings, 'momentum' | 'weightDecay'>): Optimizer {
  const rule: UpdateRule = {
    name: 'sgd',
    init(p, state) {
      if (s.momentum > 0) addSlot(state, p, 'momentum');
    },
    update(p, grad, lr, state) {
      const decays = s.weightDecay > 0 && (p.role === 'weight' || p.role === 'bias');
      const d = decays ? tf.add(grad, tf.mul(p.variable, s.weightDecay)) : grad;
      applyMomentum(p, p.variable, d, lr, s.momentum, state);
    },
  };
  return new RuleOptimizer(rule, params);
}

import { Rng } from '../rng.js';
import type { AugmentStep } from './augmentation.js';

/**
 * Each step of one augment call draws from its own stream, keyed by the step's type and its
 * occurrence in the pipeline. Switching a step off (or changing its p) therefore leaves every
 * other step's draws unchanged — an ablation changes exactly one thing. The caller's `rng`
 * advances by one draw per call, so two calls (two views) differ.
 */
export function stepStreams(rng: Rng): (step: AugmentStep) => Rng {
  const base = new Rng(rng.seedInt());
  const seen = new Map<string, number>();
  return (step) => {
    const k = seen.get(step.type) ?? 0;
    seen.set(step.type, k + 1);
    return base.derive(step.type, k);
  };
}

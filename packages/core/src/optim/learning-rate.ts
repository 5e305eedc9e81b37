import type { TrainingOptions } from './training-options.js';

export interface LrSchedule {
  /** Peak learning rate, reached at the end of warm-up (already batch-scaled if wanted). */
  baseLr: number;
  warmupSteps: number;
  totalSteps: number;
  /** Learning rate of step 0. */
  warmupStartLr: number;
  /** Learning rate the cosine ends at, at step `totalSteps` (default 0). */
  finalLr?: number;
}

/**
 * Learning rate of optimiser step `step` (0-based): solo-learn's LinearWarmupCosineAnnealingLR
 * (pl_bolts) stepped per step, closed form. Step 0 has `warmupStartLr`; the ramp is linear and
 * reaches `baseLr` at step warmupSteps−1 (and stays there at step warmupSteps, where the cosine
 * starts at its peak); the cosine reaches `finalLr` at step `totalSteps`.
 */
export function learningRateAt(step: number, schedule: LrSchedule): number {
  const { baseLr, warmupSteps, totalSteps, warmupStartLr } = schedule;
  const finalLr = schedule.finalLr ?? 0;
  if (step >= totalSteps) return finalLr;
  if (step < warmupSteps) {
    // pl_bolts divides by warmupSteps−1; with a single warm-up step that step is the start value.
    return warmupSteps > 1 ? warmupStartLr + (step * (baseLr - warmupStartLr)) / (warmupSteps - 1) : warmupStartLr;
  }
  const progress = (step - warmupSteps) / (totalSteps - warmupSteps);
  return finalLr + 0.5 * (baseLr - finalLr) * (1 + Math.cos(Math.PI * progress));
}

/** The reference linear scaling rule: lr · batch / 256. */
export function scaledLr(lr: number, batchSize: number): number {
  return (lr * batchSize) / 256;
}

/**
 * The schedule a run's TrainingOptions describe, as solo-learn sets it up: lr scaled by
 * batch/256 when `scaleLr`, warm-up epochs turned into steps, and no warm-up ramp at all
 * (start = peak) when warmupEpochs is 0.
 */
export function scheduleFromOptions(
  options: Pick<TrainingOptions, 'lr' | 'scaleLr' | 'warmupEpochs' | 'warmupStartLr'>,
  run: { batchSize: number; stepsPerEpoch: number; epochs: number },
): LrSchedule {
  const baseLr = options.scaleLr ? scaledLr(options.lr, run.batchSize) : options.lr;
  return {
    baseLr,
    warmupSteps: Math.round(options.warmupEpochs * run.stepsPerEpoch),
    totalSteps: run.epochs * run.stepsPerEpoch,
    warmupStartLr: options.warmupEpochs > 0 ? options.warmupStartLr : baseLr,
    finalLr: 0,
  };
}

import type { Dataset } from '../data/dataset.js';
import type { OptionSchema, OptionValues } from '../options.js';
import type { Registry } from '../registry.js';
import type { Rng } from '../rng.js';

/**
 * One positive pair: `a` and `b` index images of the pair set's `images`; `index` is the
 * positive id (views with equal index are positives of each other in the loss).
 * For augmented pairs a === b.
 */
export interface Pair {
  a: number;
  b: number;
  index: number;
}

export interface PairSet {
  /** Where `a` and `b` point (the training dataset, or a manifest's own images). */
  readonly images: Dataset;
  /** Pairs per epoch. */
  readonly size: number;
  /** The epoch's pairs, a deterministic function of the seed and the epoch (unshuffled). */
  pairs(epoch: number): Pair[];
  /** Facts worth saving with the run (counts, how pairs were drawn). */
  describe(): Record<string, unknown>;
}

export interface PairSourceContext {
  rng: Rng;
  /** The registry, for sources that build models (mined pairs embed images with a run's backbone). */
  registry?: Registry;
}

export interface PairSourceDefinition {
  id: string;
  description: string;
  options: OptionSchema;
  create(dataset: Dataset, options: OptionValues, context: PairSourceContext): Promise<PairSet>;
}

import { loadLabels } from '../data/load-images.js';
import type { PairSourceDefinition } from './pair-source.js';
import { perClassOption, perClassSubset } from './per-class-subset.js';

/** The baseline: both views come from the same image (two augmentations of one photo). */
export const augmentedPairs: PairSourceDefinition = {
  id: 'augmented',
  description: 'augmented pairs: two augmentations of the same image (the SimCLR/BYOL baseline)',
  options: { perClass: perClassOption },
  async create(source, options, { rng }) {
    const perClass = Number(options.perClass ?? 0);
    // Only a per-class subset needs labels: unlabelled data trains as it is.
    const dataset = perClass > 0 ? perClassSubset(source, await loadLabels(source), perClass, rng.derive('subset')).dataset : source;
    const n = dataset.size;
    return {
      images: dataset,
      size: n,
      pairs: () => Array.from({ length: n }, (_, i) => ({ a: i, b: i, index: i })),
      describe: () => ({ source: 'augmented', pairs: n, images: n, ...(perClass > 0 ? { perClass } : {}) }),
    };
  },
};

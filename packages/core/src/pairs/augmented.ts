import type { PairSourceDefinition } from './pair-source.js';

/** The baseline: both views come from the same image (two augmentations of one photo). */
export const augmentedPairs: PairSourceDefinition = {
  id: 'augmented',
  description: 'augmented pairs: two augmentations of the same image (the SimCLR/BYOL baseline)',
  options: {},
  async create(dataset) {
    const n = dataset.size;
    return {
      images: dataset,
      size: n,
      pairs: () => Array.from({ length: n }, (_, i) => ({ a: i, b: i, index: i })),
      describe: () => ({ source: 'augmented', pairs: n, images: n }),
    };
  },
};

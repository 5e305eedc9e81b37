import type { Dataset } from '../data/dataset.js';
import { subsetDataset } from '../data/subset.js';
import { UserError } from '../errors.js';
import type { OptionSpec } from '../options.js';
import type { Rng } from '../rng.js';
import { groupByClass } from './class-index.js';

/** The data-size option every pair source takes (the paper's Table 5: 50 / 100 / 157 per class). */
export const perClassOption: OptionSpec = {
  type: 'integer',
  default: 0,
  min: 0,
  description: 'images per class to train on, a seeded subset of every class (0 = all)',
};

/**
 * `perClass` images of every class, chosen from a seeded per-class permutation, so the subset
 * depends only on the seed and the dataset (semantic and augmented runs of one seed train on the
 * same images) and smaller subsets are nested in larger ones (50 ⊂ 100 ⊂ 157). Returns the
 * dataset itself when `perClass` is 0. A class with fewer images is a UserError, never a quietly
 * smaller class.
 */
export function perClassSubset(dataset: Dataset, labels: Int32Array, perClass: number, rng: Rng): { dataset: Dataset; labels: Int32Array } {
  if (perClass === 0) return { dataset, labels };
  const groups = groupByClass(labels, dataset.classes.length, dataset.name);
  const chosen: number[] = [];
  groups.forEach((group, c) => {
    if (group.length === 0) return;
    if (group.length < perClass) {
      throw new UserError(
        `dataset ${dataset.name}: class '${dataset.classes[c]}' has ${group.length} images, fewer than perClass=${perClass}`,
        `lower perClass to at most ${Math.min(...groups.filter((g) => g.length > 0).map((g) => g.length))}`,
      );
    }
    const order = rng.derive('per-class', c).permutation(group.length);
    for (let k = 0; k < perClass; k++) chosen.push(group[order[k]!]!);
  });
  chosen.sort((x, y) => x - y);
  return { dataset: subsetDataset(dataset, chosen, `${dataset.name}[${perClass}/class]`), labels: Int32Array.from(chosen, (i) => labels[i]!) };
}

import type { Pair, PairSourceDefinition } from './pair-source.js';
import { loadLabels } from '../data/load-images.js';
import { groupByClass } from './class-index.js';
import { perClassOption, perClassSubset } from './per-class-subset.js';

/**
 * Semantic pairs from labels: every image is an anchor, its partner another image of the same
 * class. In `redraw` mode partners are drawn anew each epoch (from the seed and the epoch); in
 * `fixed` mode each anchor keeps one partner for the whole run, like a curated pair set.
 * A class with a single image pairs that image with itself, and describe() counts such pairs.
 * `positives: class` gives every pair its class as index, so that a contrastive loss treats all
 * same-class views of a batch as positives (supervised contrastive) instead of the pair alone.
 */
export const semanticLabelPairs: PairSourceDefinition = {
  id: 'semantic-labels',
  description: 'semantic pairs: each image with a different image of the same class, drawn from the seed',
  options: {
    mode: {
      type: 'string',
      choices: ['redraw', 'fixed'],
      default: 'redraw',
      description: 'redraw partners every epoch, or fix one partner per image for the whole run',
    },
    positives: {
      type: 'string',
      choices: ['pair', 'class'],
      default: 'pair',
      description: "which views count as positives of each other: the pair's two only, or every view of the same class in the batch (supervised contrastive; only SimCLR's loss reads it)",
    },
    perClass: perClassOption,
  },
  async create(source, options, { rng }) {
    const perClass = Number(options.perClass ?? 0);
    // The same seeded subset as `augmented` with this seed: matched SP and AP training sets.
    const { dataset, labels } = perClassSubset(source, await loadLabels(source), perClass, rng.derive('subset'));
    const groups = groupByClass(labels, dataset.classes.length, dataset.name);
    const mode = options.mode as 'redraw' | 'fixed';
    const byClass = options.positives === 'class';
    const singletons = groups.filter((g) => g.length === 1).length;

    const draw = (epoch: number): Pair[] => {
      const r = rng.derive('semantic-labels', mode === 'fixed' ? 0 : epoch);
      const pairs: Pair[] = new Array(labels.length);
      for (let i = 0; i < labels.length; i++) {
        const group = groups[labels[i]!]!;
        let b = i;
        if (group.length > 1) {
          // Uniform over the other members: draw one of n−1 slots of the sorted group and
          // step over the anchor's own slot.
          const k = r.int(group.length - 1);
          b = group[k]! >= i ? group[k + 1]! : group[k]!;
        }
        pairs[i] = { a: i, b, index: byClass ? labels[i]! : i };
      }
      return pairs;
    };
    const fixed = mode === 'fixed' ? draw(0) : null;

    return {
      images: dataset,
      size: labels.length,
      pairs: (epoch) => fixed ?? draw(epoch),
      describe: () => ({
        source: 'semantic-labels',
        mode,
        positives: byClass ? 'class' : 'pair',
        pairs: labels.length,
        classes: groups.filter((g) => g.length > 0).length,
        selfPairedSingletons: singletons,
        ...(perClass > 0 ? { perClass } : {}),
      }),
    };
  },
};

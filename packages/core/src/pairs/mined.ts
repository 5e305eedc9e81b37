import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { resolveAugmentation } from '../augment/index.js';
import { initBackend } from '../backend/index.js';
import { loadLabels } from '../data/load-images.js';
import { UserError } from '../errors.js';
import { extractFeatures } from '../eval/extract-features.js';
import { restoreRunBackbone } from '../runs/restore-backbone.js';
import { readJson, RUN_FILES } from '../runs/run-dir.js';
import { runNormalization } from '../runs/evaluate-run.js';
import type { RunConfig } from '../train/run-config.js';
import { nearestNeighbours } from './nearest-neighbours.js';
import type { Pair, PairSourceDefinition } from './pair-source.js';
import { perClassOption, perClassSubset } from './per-class-subset.js';

/**
 * Mined semantic pairs (the SePP idea): each image's partner is one of its k nearest neighbours
 * in the embedding of a trained run's backbone. The neighbour index is built once, when the
 * pair set is created; with k > 1 the partner is re-drawn among the k every epoch from the seed.
 * When the dataset has labels, `describe()` reports how often a mined partner shares its
 * anchor's true label (nearest neighbour, and over all k).
 */
export const minedPairs: PairSourceDefinition = {
  id: 'mined',
  description: "mined semantic pairs: each image with one of its k nearest neighbours in a trained run's embedding",
  options: {
    run: { type: 'string', default: '', description: 'run directory whose newest checkpoint embeds the images (required)' },
    k: { type: 'integer', default: 1, min: 1, description: 'partner drawn among the k nearest neighbours (1 = always the nearest)' },
    featureBatchSize: { type: 'integer', default: 256, min: 1, description: 'images per forward pass while building the index' },
    perClass: perClassOption,
  },
  async create(source, options, { rng, registry }) {
    const runDir = String(options.run ?? '');
    if (!runDir) throw new UserError('mined pairs need a trained run to embed the images', 'pass --pair-options run=<run directory>');
    if (!registry) throw new Error('mined pairs need the registry in the pair-source context');
    const config = await readJson<RunConfig>(join(runDir, RUN_FILES.config), 'run config');
    const k = Number(options.k ?? 1);
    const perClass = Number(options.perClass ?? 0);
    const dataset = perClass > 0 ? perClassSubset(source, await loadLabels(source), perClass, rng.derive('subset')).dataset : source;
    if (k > dataset.size - 1) throw new UserError(`k=${k} needs more than ${dataset.size} images`, `use k ≤ ${Math.max(1, dataset.size - 1)}`);

    await initBackend(config.backend as Parameters<typeof initBackend>[0]);
    const { params, backbone, checkpoint } = await restoreRunBackbone(registry, config, runDir);
    let neighbours: Int32Array;
    let labels: Int32Array;
    try {
      const pipelines = resolveAugmentation(registry.augmentations.get(config.augmentation.preset), config.augmentation);
      const extracted = await extractFeatures(backbone, dataset, {
        batchSize: Number(options.featureBatchSize ?? 256),
        normalization: runNormalization(pipelines),
        size: config.augmentation.size,
        phase: 'mining pairs',
      });
      labels = extracted.labels;
      try {
        neighbours = await nearestNeighbours(extracted.features, k);
      } finally {
        tf.dispose(extracted.features);
      }
    } finally {
      params.dispose();
    }
    const labelled = labels.every((y) => y >= 0);
    const agreement = (among: number): number => {
      let same = 0;
      for (let i = 0; i < labels.length; i++) for (let j = 0; j < among; j++) same += labels[neighbours[i * k + j]!] === labels[i] ? 1 : 0;
      return same / (labels.length * among);
    };
    const facts = {
      source: 'mined',
      run: runDir,
      checkpoint,
      k,
      pairs: dataset.size,
      ...(perClass > 0 ? { perClass } : {}),
      // How often a mined partner has its anchor's true class: the precision of the mining.
      ...(labelled ? { labelAgreement: agreement(1), ...(k > 1 ? { labelAgreementK: agreement(k) } : {}) } : {}),
    };
    const draw = (epoch: number): Pair[] => {
      const r = rng.derive('mined', epoch);
      return Array.from({ length: dataset.size }, (_, i) => ({ a: i, b: neighbours[i * k + (k > 1 ? r.int(k) : 0)]!, index: i }));
    };
    const fixed = k === 1 ? draw(0) : null;
    return { images: dataset, size: dataset.size, pairs: (epoch) => fixed ?? draw(epoch), describe: () => facts };
  },
};

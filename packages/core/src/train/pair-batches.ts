import * as tf from '@tensorflow/tfjs-core';
import type { ViewPipeline } from '../augment/augmentation.js';
import { augment } from '../augment/index.js';
import type { Pair, PairSet } from '../pairs/pair-source.js';
import type { Rng } from '../rng.js';
import type { Batch } from './batch.js';

/** Raw images of a batch of pairs, before any tensor work. */
export interface RawPairBatch {
  a: Uint8Array;
  b: Uint8Array;
  indexes: Int32Array;
  labels: Int32Array;
  size: number;
}

/** Reads the images of `pairs` from the pair set (awaits, so readers may stream from disk). */
export async function readPairBatch(pairSet: PairSet, pairs: Pair[]): Promise<RawPairBatch> {
  const [h, w, c] = pairSet.images.shape;
  const pixels = h * w * c;
  const a = new Uint8Array(pairs.length * pixels);
  const b = new Uint8Array(pairs.length * pixels);
  const indexes = new Int32Array(pairs.length);
  const labels = new Int32Array(pairs.length);
  await Promise.all(
    pairs.map(async (pair, i) => {
      const [ia, ib] = await Promise.all([pairSet.images.get(pair.a), pair.b === pair.a ? null : pairSet.images.get(pair.b)]);
      a.set(ia.image, i * pixels);
      b.set((ib ?? ia).image, i * pixels);
      indexes[i] = pair.index;
      labels[i] = ia.label;
    }),
  );
  return { a, b, indexes, labels, size: pairs.length };
}

/**
 * Turns raw pairs into augmented views. View v is drawn from image a for even v and from
 * image b for odd v (two views: a and b; multi-crop: locals alternate between the two).
 * `rng` must be specific to this step so that a resumed run repeats the same views.
 */
export function augmentPairBatch(
  raw: RawPairBatch,
  shape: readonly [number, number, number],
  pipelines: ViewPipeline[],
  rng: Rng,
): Batch {
  const [h, w, c] = shape;
  const views = tf.tidy(() => {
    const a = tf.div(tf.tensor4d(raw.a, [raw.size, h, w, c], 'float32'), 255) as tf.Tensor4D;
    const b = tf.div(tf.tensor4d(raw.b, [raw.size, h, w, c], 'float32'), 255) as tf.Tensor4D;
    return pipelines.map((pipeline, v) => augment(v % 2 === 0 ? a : b, pipeline, rng.derive('view', v)));
  });
  return {
    views,
    indexes: tf.tensor1d(raw.indexes, 'int32'),
    labels: tf.tensor1d(raw.labels, 'int32'),
    size: raw.size,
  };
}

export function disposeBatch(batch: Batch): void {
  tf.dispose([...batch.views, batch.indexes, batch.labels]);
}


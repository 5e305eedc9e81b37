import {
  augmentPairBatch,
  disposeBatch,
  resolveAugmentation,
  Rng,
  type LabelledImage,
  type PreparedRun,
  type RawPairBatch,
  type Registry,
} from '@sempair/core';
import type { Tile } from './contact-sheet.js';
import { viewTiles } from './view-tiles.js';

/** One previewed pair: indexes into the pair set's images, its positive id, both labels. */
export interface PreviewPair {
  a: number;
  b: number;
  index: number;
  label: number;
  labelB: number;
}

export interface PairPreview {
  pairs: PreviewPair[];
  /** What each column of the sheet shows, left to right. */
  columns: string[];
  /** One row of tiles per pair, in the order of `columns`. */
  rows: Tile[][];
}

function imageTile(item: LabelledImage, [height, width, channels]: readonly [number, number, number]): Tile {
  return { pixels: item.image, height, width, channels: channels === 1 ? 1 : 3 };
}

/**
 * The first `count` pairs of epoch 0 in the order pre-training visits them (the same shuffle
 * stream as `pretrain`), their images, and their augmented views as the run's preset makes them
 * (view v from image a for even v, from b for odd v, as in training). Needs an initialised backend.
 */
export async function previewPairs(prepared: PreparedRun, registry: Registry, count: number): Promise<PairPreview> {
  const { config, pairSet } = prepared;
  const rng = new Rng(config.seed);
  const all = pairSet.pairs(0);
  const order = rng.derive('shuffle', 0).permutation(all.length);
  const chosen = Array.from(order.subarray(0, Math.min(count, all.length)), (i) => all[i]!);

  const shape = pairSet.images.shape;
  const pixels = shape[0] * shape[1] * shape[2];
  const images = await Promise.all(chosen.map(async (p) => [await pairSet.images.get(p.a), await pairSet.images.get(p.b)] as const));
  const raw: RawPairBatch = {
    a: new Uint8Array(chosen.length * pixels),
    b: new Uint8Array(chosen.length * pixels),
    indexes: Int32Array.from(chosen, (p) => p.index),
    labels: Int32Array.from(images, ([a]) => a.label),
    size: chosen.length,
  };
  images.forEach(([a, b], i) => {
    raw.a.set(a.image, i * pixels);
    raw.b.set(b.image, i * pixels);
  });

  const pipelines = resolveAugmentation(registry.augmentations.get(config.augmentation.preset), config.augmentation);
  const batch = augmentPairBatch(raw, shape, pipelines, rng.derive('augment', 0, 0));
  let views: Tile[][];
  try {
    views = await Promise.all(batch.views.map((view, v) => viewTiles(view, pipelines[v]!)));
  } finally {
    disposeBatch(batch);
  }

  const columns = [
    'image a',
    'image b',
    ...pipelines.map((p, v) => `view ${v + 1} (${(p.sizeRatio ?? 1) < 1 ? 'local crop ' : ''}from ${v % 2 === 0 ? 'a' : 'b'})`),
  ];
  return {
    pairs: chosen.map((p, i) => ({ a: p.a, b: p.b, index: p.index, label: images[i]![0].label, labelB: images[i]![1].label })),
    columns,
    rows: images.map(([a, b], i) => [imageTile(a, shape), imageTile(b, shape), ...views.map((view) => view[i]!)]),
  };
}

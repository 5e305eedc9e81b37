import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../backbones/backbone.js';
import type { Dataset } from '../data/dataset.js';
import { loadImages } from '../data/load-images.js';
import type { ProgressListener } from '../progress.js';

export interface ImageNormalization {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

export interface ExtractFeaturesOptions {
  /** Images per forward pass. */
  batchSize: number;
  /** Per-channel mean/std the backbone was trained with (applied to [0, 1] pixels). */
  normalization: ImageNormalization;
  /** Resize images to size×size (the backbone's training resolution); 0 or absent keeps them. */
  size?: number;
  progress?: ProgressListener;
  /** Phase name in progress events (default "features"). */
  phase?: string;
}

export interface ExtractedFeatures {
  /** [N, featureDim], row i is image i of the dataset. The caller disposes it. */
  features: tf.Tensor2D;
  labels: Int32Array;
}

/**
 * uint8 HWC images → [count, h, w, 3] float32 in [0, 1], grey expanded to RGB: the common first
 * step of evaluation inputs (then resized and normalised) and of training inputs (then augmented).
 */
export function imagesToTensor(images: Uint8Array, shape: readonly [number, number, number], count: number): tf.Tensor4D {
  const [h, w, c] = shape;
  if (c !== 1 && c !== 3) throw new Error(`extractFeatures: images must have 1 or 3 channels, got ${c}`);
  const pixels = new Float32Array(count * h * w * c);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images[i]! / 255;
  return tf.tidy(() => {
    const x: tf.Tensor4D = tf.tensor4d(pixels, [count, h, w, c]);
    return c === 1 ? tf.tile(x, [1, 1, 1, 3]) : x;
  });
}

/**
 * Turns uint8 HWC images into the backbone's input: [0, 1] floats, grey expanded to RGB,
 * bilinear resize (half-pixel centres, as PIL and torchvision) when `size` differs, normalised.
 */
export function preprocessImages(
  images: Uint8Array,
  shape: readonly [number, number, number],
  count: number,
  options: Pick<ExtractFeaturesOptions, 'normalization' | 'size'>,
): tf.Tensor4D {
  const [h, w] = shape;
  return tf.tidy(() => {
    let x = imagesToTensor(images, shape, count);
    const size = options.size ?? 0;
    if (size > 0 && (size !== h || size !== w)) x = tf.image.resizeBilinear(x, [size, size], false, true);
    const { mean, std } = options.normalization;
    return tf.div(tf.sub(x, tf.tensor1d([...mean])), tf.tensor1d([...std])) as tf.Tensor4D;
  });
}

/**
 * Features of every image of `dataset` from the frozen backbone (eval mode: batch-norm uses its
 * running statistics), in dataset order, batch by batch. Features are collected on the JS side
 * and uploaded once, so device memory holds one batch at a time.
 */
export async function extractFeatures(
  backbone: Backbone,
  dataset: Dataset,
  options: ExtractFeaturesOptions,
): Promise<ExtractedFeatures> {
  const n = dataset.size;
  const batchSize = Math.max(1, Math.floor(options.batchSize));
  const steps = Math.ceil(n / batchSize);
  const labels = new Int32Array(n);
  let dim = backbone.featureDim;
  let out = new Float32Array(n * dim);
  for (let step = 0, start = 0; start < n; step++, start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const indexes = Array.from({ length: count }, (_, i) => start + i);
    const batch = await loadImages(dataset, indexes);
    labels.set(batch.labels, start);
    const features = tf.tidy(() => backbone.apply(preprocessImages(batch.images, dataset.shape, count, options), false));
    const values = (await features.data()) as Float32Array;
    const rowDim = features.shape[1];
    features.dispose();
    if (rowDim !== dim) {
      // Trust what the backbone produced over what it declared.
      if (start !== 0) throw new Error(`extractFeatures: backbone ${backbone.id} changed feature size mid-way`);
      dim = rowDim;
      out = new Float32Array(n * dim);
    }
    out.set(values, start * dim);
    options.progress?.({ phase: options.phase ?? 'features', step: step + 1, steps });
  }
  return { features: tf.tensor2d(out, [n, dim]), labels };
}

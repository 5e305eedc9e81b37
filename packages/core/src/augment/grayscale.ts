import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import type { StepOf } from './augmentation.js';
import { any, drawMask, selectImages } from './per-image.js';

/** ITU-R 601-2 luma weights, as torchvision's rgb_to_grayscale. */
export const LUMA = [0.299, 0.587, 0.114] as const;

/** Luma of RGB images as one plane, [B, H, W, 3] → [B, H, W, 1] (a 1×1 convolution: fast on wasm). */
export function luma(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.conv2d(images, tf.tensor4d([...LUMA], [1, 1, 3, 1]), 1, 'valid'));
}

/** Luma copied to the three channels, [B, H, W, 3], in the same single convolution. */
export function luma3(images: tf.Tensor4D): tf.Tensor4D {
  const w = LUMA.flatMap((v) => [v, v, v]);
  return tf.tidy(() => tf.conv2d(images, tf.tensor4d(w, [1, 1, 3, 3]), 1, 'valid'));
}

/** Replaces the masked images by their luma in all three channels. */
export function grayscaleImages(images: tf.Tensor4D, mask: readonly boolean[]): tf.Tensor4D {
  if (!any(mask)) return images.clone();
  return tf.tidy(() => selectImages(mask, luma3(images), images));
}

export function randomGrayscale(images: tf.Tensor4D, step: StepOf<'grayscale'>, rng: Rng): tf.Tensor4D {
  return grayscaleImages(images, drawMask(images.shape[0], step.p, rng));
}

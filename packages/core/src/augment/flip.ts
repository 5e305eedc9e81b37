import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import type { StepOf } from './augmentation.js';
import { any, drawMask, selectImages } from './per-image.js';

/** Mirrors left-right the images whose mask is set. */
export function flipImages(images: tf.Tensor4D, mask: readonly boolean[]): tf.Tensor4D {
  if (!any(mask)) return images.clone();
  return tf.tidy(() => selectImages(mask, tf.image.flipLeftRight(images), images));
}

export function randomFlip(images: tf.Tensor4D, step: StepOf<'flip'>, rng: Rng): tf.Tensor4D {
  return flipImages(images, drawMask(images.shape[0], step.p, rng));
}

import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors.js';
import type { Rng } from '../rng.js';
import type { AugmentStep, Augmenter, ViewPipeline } from './augmentation.js';
import { toRgb } from './channels.js';
import { randomColorJitter } from './color-jitter.js';
import { randomFlip } from './flip.js';
import { randomBlur } from './gaussian-blur.js';
import { randomGrayscale } from './grayscale.js';
import { normalizeImages } from './normalize.js';
import { randomResizedCrop, resize } from './random-resized-crop.js';
import { randomRotation } from './rotate.js';
import { randomSolarize } from './solarize.js';
import { stepStreams } from './step-rng.js';
import { validateViewPipeline } from './validate.js';

/** One step on a batch; returns a new tensor and leaves its input alone. */
export function applyAugmentStep(images: tf.Tensor4D, step: AugmentStep, rng: Rng): tf.Tensor4D {
  switch (step.type) {
    case 'crop':
      return randomResizedCrop(images, step, rng);
    case 'resize':
      return resize(images, step.size);
    case 'rotate':
      return randomRotation(images, step, rng);
    case 'jitter':
      return randomColorJitter(images, step, rng);
    case 'grayscale':
      return randomGrayscale(images, step, rng);
    case 'blur':
      return randomBlur(images, step, rng);
    case 'solarize':
      return randomSolarize(images, step, rng);
    case 'flip':
      return randomFlip(images, step, rng);
    case 'normalize':
      return normalizeImages(images, step);
    default: {
      const unknown: never = step;
      throw new UserError(`unknown augmentation step ${JSON.stringify(unknown)}`);
    }
  }
}

/** A step that changes nothing (p 0) is skipped: with per-step streams that moves no other draw. */
function isNoOp(step: AugmentStep): boolean {
  return 'p' in step && step.p === 0;
}

/**
 * The batched, seeded augmenter: images [B, H, W, C] float32 in [0, 1] (C 1 or 3) → one view
 * [B, size, size, 3]. Random parameters are drawn on the JS side, one set per image per step,
 * then each step is a handful of batched tensor ops; the result is a pure function of the
 * pipeline, the images and the state of `rng`. The input is not disposed; the output is always
 * a new tensor.
 */
export const augment: Augmenter = (images, pipeline, rng) => {
  validateViewPipeline(pipeline);
  if (images.rank !== 4) {
    throw new UserError(
      `augmentation expects a batch [B, H, W, C], got shape [${images.shape.join(', ')}]`,
      'stack the images into one 4-D tensor',
    );
  }
  const streamFor = stepStreams(rng);
  // step by step with explicit disposal rather than one tidy, so at most two full batches
  // are alive at once (a tidy would keep every step's output until the end)
  const rgb = images.shape[3] === 3 && images.dtype === 'float32';
  let x = rgb ? images : toRgb(images);
  let owned = !rgb;
  try {
    for (const step of pipeline.steps) {
      if (isNoOp(step)) continue;
      const next = applyAugmentStep(x, step, streamFor(step));
      if (owned) x.dispose();
      x = next;
      owned = true;
    }
  } catch (error) {
    if (owned) x.dispose();
    throw error;
  }
  return owned ? x : x.clone();
};

/** All views of a batch, e.g. a preset's two pipelines; each view gets fresh draws from `rng`. */
export function augmentViews(images: tf.Tensor4D, views: readonly ViewPipeline[], rng: Rng): tf.Tensor4D[] {
  const out: tf.Tensor4D[] = [];
  try {
    for (const view of views) out.push(augment(images, view, rng));
  } catch (error) {
    tf.dispose(out);
    throw error;
  }
  return out;
}

import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import type { StepOf } from './augmentation.js';
import { any, drawMask, perImage } from './per-image.js';

/**
 * In the masked images, pixels ≥ threshold become 1 − x (torchvision RandomSolarize). The
 * comparison is float arithmetic — hit = m·(1 − step(t − x)), exact since the sign of t − x is —
 * and the choice x·(1 − hit) + (1 − x)·hit is exact for hit ∈ {0, 1}.
 */
export function solarizeImages(images: tf.Tensor4D, mask: readonly boolean[], threshold: number): tf.Tensor4D {
  if (!any(mask)) return images.clone();
  return tf.tidy(() => {
    const m = perImage(mask.map((v) => (v ? 1 : 0)));
    const hit = tf.mul(tf.sub(1, tf.step(tf.sub(threshold, images))), m);
    return tf.add(tf.mul(images, tf.sub(1, hit)), tf.mul(tf.sub(1, images), hit)) as tf.Tensor4D;
  });
}

export function randomSolarize(images: tf.Tensor4D, step: StepOf<'solarize'>, rng: Rng): tf.Tensor4D {
  return solarizeImages(images, drawMask(images.shape[0], step.p, rng), step.threshold);
}

import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import type { StepOf } from './augmentation.js';
import { luma, luma3 } from './grayscale.js';
import { adjustHue } from './hue.js';
import { perImage } from './per-image.js';

export type JitterOp = 'brightness' | 'contrast' | 'saturation' | 'hue';
export const JITTER_OPS: readonly JitterOp[] = ['brightness', 'contrast', 'saturation', 'hue'];

/** Per-image factors (neutral — 1, 1, 1, 0 — where the step is not applied) and the op order. */
export interface JitterParams {
  /** torchvision shuffles the four ops per image; here one order is drawn per batch. */
  order: JitterOp[];
  brightness: Float32Array;
  contrast: Float32Array;
  saturation: Float32Array;
  hue: Float32Array;
}

/** torchvision ColorJitter: factors ~ U[max(0, 1 − x), 1 + x], hue shift ~ U[−h, h]. */
export function drawJitterParams(batch: number, step: StepOf<'jitter'>, rng: Rng): JitterParams {
  const order = rng.shuffle([...JITTER_OPS]);
  const params: JitterParams = {
    order,
    brightness: new Float32Array(batch),
    contrast: new Float32Array(batch),
    saturation: new Float32Array(batch),
    hue: new Float32Array(batch),
  };
  const factor = (x: number): number => rng.uniform(Math.max(0, 1 - x), 1 + x);
  for (let n = 0; n < batch; n++) {
    // always five draws per image, so the stream does not depend on p
    const apply = rng.bernoulli(step.p);
    const b = factor(step.brightness);
    const c = factor(step.contrast);
    const s = factor(step.saturation);
    const h = rng.uniform(-step.hue, step.hue);
    params.brightness[n] = apply ? b : 1;
    params.contrast[n] = apply ? c : 1;
    params.saturation[n] = apply ? s : 1;
    params.hue[n] = apply ? h : 0;
  }
  return params;
}

/** torchvision `_blend`: clamp(f·x + (1 − f)·other, 0, 1), f per image. */
function blend(images: tf.Tensor4D, other: tf.Tensor, factors: tf.Tensor4D): tf.Tensor4D {
  return tf.clipByValue(tf.add(tf.mul(factors, images), tf.mul(tf.sub(1, factors), other)), 0, 1) as tf.Tensor4D;
}

export function adjustBrightness(images: tf.Tensor4D, factors: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.mul(images, factors), 0, 1) as tf.Tensor4D);
}

/** Blends with each image's mean luma (a scalar per image). */
export function adjustContrast(images: tf.Tensor4D, factors: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => blend(images, tf.mean(luma(images), [1, 2, 3], true), factors));
}

/** Blends with each pixel's luma (already copied to three channels: cheaper than broadcasting a plane). */
export function adjustSaturation(images: tf.Tensor4D, factors: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => blend(images, luma3(images), factors));
}

const NEUTRAL: Record<JitterOp, number> = { brightness: 1, contrast: 1, saturation: 1, hue: 0 };

/** Applies the four adjustments in `params.order`, skipping any that is neutral for every image. */
export function colorJitter(images: tf.Tensor4D, params: JitterParams): tf.Tensor4D {
  return tf.tidy(() => {
    let x = images;
    for (const op of params.order) {
      const values = params[op];
      if (values.every((v) => v === NEUTRAL[op])) continue;
      const factors = perImage(values);
      if (op === 'brightness') x = adjustBrightness(x, factors);
      else if (op === 'contrast') x = adjustContrast(x, factors);
      else if (op === 'saturation') x = adjustSaturation(x, factors);
      else x = adjustHue(x, factors);
    }
    return x === images ? images.clone() : x;
  });
}

export function randomColorJitter(images: tf.Tensor4D, step: StepOf<'jitter'>, rng: Rng): tf.Tensor4D {
  return colorJitter(images, drawJitterParams(images.shape[0], step, rng));
}

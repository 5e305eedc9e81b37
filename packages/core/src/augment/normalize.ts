import * as tf from '@tensorflow/tfjs-core';
import type { StepOf } from './augmentation.js';

/** ImageNet channel statistics, the default for every preset. */
export const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

/**
 * (x − mean) / std per channel, computed as x·(1/std) − mean/std in one 1×1 convolution with a
 * bias: broadcasting a [3] vector over NHWC is several times slower on wasm. Within a few ulp of
 * the subtract-then-divide form.
 */
export function normalizeImages(images: tf.Tensor4D, step: StepOf<'normalize'>): tf.Tensor4D {
  const filter = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let c = 0; c < 3; c++) filter[4 * c] = 1 / step.std[c]!;
  const bias = step.mean.map((m, c) => -m / step.std[c]!);
  return tf.tidy(() =>
    tf.fused.conv2d({
      x: images,
      filter: tf.tensor4d(filter, [1, 1, 3, 3]),
      strides: 1,
      pad: 'valid',
      bias: tf.tensor1d(bias),
    }),
  );
}

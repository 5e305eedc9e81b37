import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors.js';

/**
 * The augmenter works on RGB: a one-channel batch (MNIST-like) is replicated to three
 * channels first, which the backbones expect anyway. Grayscale, saturation and hue are then
 * no-ops on it, as they are on any gray image.
 */
export function toRgb(images: tf.Tensor4D): tf.Tensor4D {
  const channels = images.shape[3];
  if (channels === 3) return images.dtype === 'float32' ? images.clone() : tf.cast(images, 'float32');
  // a 1×1 convolution with weights 1 copies the plane exactly, and is much faster than tile on wasm
  if (channels === 1) return tf.tidy(() => tf.conv2d(tf.cast(images, 'float32'), tf.ones([1, 1, 1, 3]), 1, 'valid'));
  throw new UserError(
    `augmentation expects images with 1 or 3 channels, got ${channels} (shape [${images.shape.join(', ')}])`,
    'convert the dataset to RGB or grayscale (drop the alpha channel)',
  );
}

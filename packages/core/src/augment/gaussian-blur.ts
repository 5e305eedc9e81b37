import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import type { StepOf } from './augmentation.js';
import { any } from './per-image.js';

/**
 * SimCLR's kernel size: 10% of the image side, made odd, at least 3 (23 at 224 px, 3 at 32 px,
 * 7 at 64 px) — and never wider than reflect padding allows on a tiny image.
 */
export function blurKernelSize(side: number): number {
  let k = Math.floor(0.1 * side);
  if (k % 2 === 0) k += 1;
  k = Math.max(3, k);
  return Math.max(1, Math.min(k, 2 * side - 1));
}

/** torchvision `_get_gaussian_kernel1d`: exp(−x²/2σ²) on integer offsets, normalised to sum 1. */
export function gaussianKernel1d(size: number, sigma: number): Float32Array {
  const kernel = new Float32Array(size);
  const half = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const x = (i - half) / sigma;
    kernel[i] = Math.exp(-0.5 * x * x);
    sum += kernel[i]!;
  }
  for (let i = 0; i < size; i++) kernel[i] = kernel[i]! / sum;
  return kernel;
}

/** Per-image σ ~ U[sigma] (0 where the step is not applied: that image is left as it is). */
export function drawBlurSigmas(batch: number, step: StepOf<'blur'>, rng: Rng): number[] {
  const sigmas: number[] = [];
  for (let n = 0; n < batch; n++) {
    const apply = rng.bernoulli(step.p);
    const sigma = rng.uniform(step.sigma[0], step.sigma[1]);
    sigmas.push(apply ? sigma : 0);
  }
  return sigmas;
}

/**
 * wasm's depthwise convolution is fast (XNNPACK microkernels) only for 3, 9 or 25 taps and
 * 10× slower otherwise, so a kernel is zero-padded to the next of those lengths when it fits.
 */
export function fastTapCount(size: number): number {
  return [3, 9, 25].find((taps) => taps >= size) ?? size;
}

/**
 * Gaussian blur with a σ per image (σ 0: untouched), reflect padding as torchvision, separable
 * (the 2-D kernel is the outer product of the 1-D one, as torchvision's). Batched by folding the
 * batch into channels — [B, H, W, C] → [1, H, W, C·B] by one 2-D transpose — so each image gets
 * its own kernel from one pair of depthwise convolutions.
 */
export function blurImages(images: tf.Tensor4D, sigmas: readonly number[]): tf.Tensor4D {
  if (!any(sigmas.map((s) => s > 0))) return images.clone();
  const [batch, height, width, channels] = images.shape;
  const size = blurKernelSize(Math.min(height, width));
  if (size === 1) return images.clone();
  const taps = fastTapCount(size);
  const pad = (taps - 1) / 2;
  const depth = batch * channels;
  // filter[k, 0, c·B + b, 0]: tap k of image b's kernel (zero-padded to `taps`; one-hot where σ is 0)
  const filter = new Float32Array(taps * depth);
  const offset = (taps - size) / 2;
  sigmas.forEach((sigma, b) => {
    const kernel = sigma > 0 ? gaussianKernel1d(size, sigma) : identityKernel(size);
    for (let k = 0; k < size; k++) {
      for (let c = 0; c < channels; c++) filter[(k + offset) * depth + c * batch + b] = kernel[k]!;
    }
  });
  return tf.tidy(() => {
    const flat = tf.transpose(tf.reshape(images, [batch, height * width * channels]));
    const folded = tf.reshape(flat, [1, height, width, depth]) as tf.Tensor4D;
    const padded = tf.mirrorPad(folded, [[0, 0], [pad, pad], [pad, pad], [0, 0]], 'reflect');
    const vertical = tf.depthwiseConv2d(padded, tf.tensor4d(filter, [taps, 1, depth, 1]), 1, 'valid');
    const both = tf.depthwiseConv2d(vertical, tf.tensor4d(filter, [1, taps, depth, 1]), 1, 'valid');
    const unfolded = tf.transpose(tf.reshape(both, [height * width * channels, batch]));
    return tf.reshape(unfolded, [batch, height, width, channels]) as tf.Tensor4D;
  });
}

function identityKernel(size: number): Float32Array {
  const kernel = new Float32Array(size);
  kernel[(size - 1) / 2] = 1;
  return kernel;
}

export function randomBlur(images: tf.Tensor4D, step: StepOf<'blur'>, rng: Rng): tf.Tensor4D {
  return blurImages(images, drawBlurSigmas(images.shape[0], step, rng));
}

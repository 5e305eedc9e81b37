import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import type { StepOf } from './augmentation.js';

/** A crop in pixels: top row `i`, left column `j`, height `h`, width `w` (torchvision's order). */
export interface CropBox {
  i: number;
  j: number;
  h: number;
  w: number;
}

/** Python's round(): halves go to the even neighbour, so crop sizes match torchvision's. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * torchvision `RandomResizedCrop.get_params`: up to 10 tries of (area fraction ~ U[scale],
 * aspect ratio log-uniform in `ratio`) that fit in the image, else the centre crop clamped to
 * the ratio range.
 */
export function sampleCropBox(
  height: number,
  width: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
  rng: Rng,
): CropBox {
  const area = height * width;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])] as const;
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logRatio[0], logRatio[1]));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { i: rng.int(height - h + 1), j: rng.int(width - w + 1), h, w };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < Math.min(...ratio)) h = roundHalfEven(w / Math.min(...ratio));
  else if (inRatio > Math.max(...ratio)) w = roundHalfEven(h * Math.max(...ratio));
  return { i: Math.floor((height - h) / 2), j: Math.floor((width - w) / 2), h, w };
}

/**
 * Crops resized with torch's bilinear convention (half-pixel centres, align_corners=False) on a
 * batch, through tf.image.cropAndResize. cropAndResize samples with align-corners spacing and
 * writes an extrapolation value outside the image, so the image is padded by one replicated edge
 * pixel and each box is shifted so that output pixel o samples source coordinate
 * `i + (o + 0.5)·h/size − 0.5`. Samples within half a pixel outside the crop read the real
 * neighbouring pixel (torchvision clamps to the crop's edge instead; the two differ only there).
 * No antialiasing, like torchvision with antialias=False.
 */
export function cropAndResizeBoxes(images: tf.Tensor4D, boxes: readonly CropBox[], size: number): tf.Tensor4D {
  const [batch, height, width] = images.shape;
  const coords = new Float32Array(batch * 4);
  // padded extent − 1: the denominator cropAndResize normalises by
  const spanY = height + 1;
  const spanX = width + 1;
  boxes.forEach((b, n) => {
    const halfY = (0.5 * b.h) / size;
    const halfX = (0.5 * b.w) / size;
    coords[4 * n] = (b.i + halfY + 0.5) / spanY;
    coords[4 * n + 1] = (b.j + halfX + 0.5) / spanX;
    coords[4 * n + 2] = (b.i + b.h - halfY + 0.5) / spanY;
    coords[4 * n + 3] = (b.j + b.w - halfX + 0.5) / spanX;
  });
  return tf.tidy(() => {
    const padded = tf.mirrorPad(images, [[0, 0], [1, 1], [1, 1], [0, 0]], 'symmetric');
    const boxIndex = tf.range(0, batch, 1, 'int32') as tf.Tensor1D;
    return tf.image.cropAndResize(padded, tf.tensor2d(coords, [batch, 4]), boxIndex, [size, size], 'bilinear');
  });
}

/** Draws one box per image, then crops and resizes the batch in one op. */
export function randomResizedCrop(images: tf.Tensor4D, step: StepOf<'crop'>, rng: Rng): tf.Tensor4D {
  const [batch, height, width] = images.shape;
  const boxes: CropBox[] = [];
  for (let n = 0; n < batch; n++) boxes.push(sampleCropBox(height, width, step.scale, step.ratio, rng));
  return cropAndResizeBoxes(images, boxes, step.size);
}

/** Plain bilinear resize with the same convention as the crop; what a disabled crop becomes. */
export function resize(images: tf.Tensor4D, size: number): tf.Tensor4D {
  const [, height, width] = images.shape;
  if (height === size && width === size) return images.clone();
  return tf.image.resizeBilinear(images, [size, size], false, true);
}

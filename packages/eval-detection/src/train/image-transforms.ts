import * as tf from '@tensorflow/tfjs-core';
import { resizeBilinear, type Rng } from '@sempair/core';
import type { BatchTargets } from '../model/faster-rcnn.js';
import type { ImageSize } from '../model/rpn.js';
import type { DecodedImage, VocObject } from '../voc/voc-types.js';

/**
 * detectron2's input pipeline for detection: ResizeShortestEdge (training: a shorter side drawn
 * from a list, "choice" sampling; test: one size; the longer side capped), a horizontal flip
 * with probability 0.5 in training, boxes transformed alike and clipped to the image, empty ones
 * dropped; then pixels normalised per channel ((x − mean) / std, RGB, 0–255 scale) and the
 * images of a batch zero-padded at the bottom and right to the largest one (ImageList).
 * Resizing is bilinear with half-pixel centres on uint8, as PIL's for upscaling (VOC's
 * ~500×375 images are upscaled to 480–800); PIL antialiases when shrinking, this does not.
 */

/** detectron2 ResizeShortestEdge.get_output_shape: [height, width]. */
export function shortestEdgeShape(height: number, width: number, shortSide: number, maxSize: number): [number, number] {
  const scale = shortSide / Math.min(height, width);
  let h: number;
  let w: number;
  if (height < width) {
    h = shortSide;
    w = scale * width;
  } else {
    h = scale * height;
    w = shortSide;
  }
  if (Math.max(h, w) > maxSize) {
    const s = maxSize / Math.max(h, w);
    h *= s;
    w *= s;
  }
  return [Math.floor(h + 0.5), Math.floor(w + 0.5)];
}

export interface Normalization {
  /** Per-channel mean and std on the 0–255 scale, RGB. */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** An image ready for the network: normalised float HWC, with its boxes in the same frame. */
export interface PreparedImage {
  pixels: Float32Array;
  height: number;
  width: number;
  /** n×4 boxes [x1, y1, x2, y2] (training only; empty at test time). */
  boxes: Float64Array;
  classes: Int32Array;
  /** Size of the image it was made from (test detections are scaled back to it). */
  sourceHeight: number;
  sourceWidth: number;
}

export interface PrepareOptions {
  shortSide: number;
  maxSize: number;
  flip: boolean;
  normalization: Normalization;
}

/** Resize (+ flip) + normalise one decoded image and its objects. */
export function prepareImage(image: DecodedImage, objects: readonly VocObject[], options: PrepareOptions): PreparedImage {
  const [height, width] = shortestEdgeShape(image.height, image.width, options.shortSide, options.maxSize);
  const resized = resizeBilinear(image.data, image.height, image.width, 3, height, width);
  const { mean, std } = options.normalization;
  const pixels = new Float32Array(height * width * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + (options.flip ? width - 1 - x : x)) * 3;
      const to = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) pixels[to + c] = (resized[from + c]! - mean[c]!) / std[c]!;
    }
  }
  const sx = width / image.width;
  const sy = height / image.height;
  const boxes: number[] = [];
  const classes: number[] = [];
  for (const o of objects) {
    let [x1, y1, x2, y2] = [o.box[0] * sx, o.box[1] * sy, o.box[2] * sx, o.box[3] * sy];
    if (options.flip) [x1, x2] = [width - x2, width - x1];
    x1 = Math.min(Math.max(x1, 0), width);
    x2 = Math.min(Math.max(x2, 0), width);
    y1 = Math.min(Math.max(y1, 0), height);
    y2 = Math.min(Math.max(y2, 0), height);
    if (x2 > x1 && y2 > y1) {
      boxes.push(x1, y1, x2, y2);
      classes.push(o.classIndex);
    }
  }
  return { pixels, height, width, boxes: Float64Array.from(boxes), classes: Int32Array.from(classes), sourceHeight: image.height, sourceWidth: image.width };
}

/** A shorter side drawn from `choices` and a coin for the flip, for one training image. */
export function drawTrainTransform(choices: readonly number[], flip: boolean, rng: Rng): { shortSide: number; flip: boolean } {
  return { shortSide: rng.pick(choices), flip: flip && rng.bernoulli(0.5) };
}

/** Zero-pads the images to the largest height and width: [N, H, W, 3] and each image's size. */
export function stackImages(images: readonly PreparedImage[]): { tensor: tf.Tensor4D; sizes: ImageSize[] } {
  const height = Math.max(...images.map((i) => i.height));
  const width = Math.max(...images.map((i) => i.width));
  const data = new Float32Array(images.length * height * width * 3);
  images.forEach((image, n) => {
    for (let y = 0; y < image.height; y++) {
      data.set(image.pixels.subarray(y * image.width * 3, (y + 1) * image.width * 3), ((n * height + y) * width) * 3);
    }
  });
  return { tensor: tf.tensor4d(data, [images.length, height, width, 3]), sizes: images.map((i) => ({ height: i.height, width: i.width })) };
}

/** A training batch as the detector's losses take it: the stacked images and their ground truth. */
export function stackTrainingBatch(images: readonly PreparedImage[]): { tensor: tf.Tensor4D; targets: BatchTargets } {
  const { tensor, sizes } = stackImages(images);
  return { tensor, targets: { sizes, boxes: images.map((b) => b.boxes), classes: images.map((b) => b.classes) } };
}

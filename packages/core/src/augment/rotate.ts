import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import type { RotateFill, StepOf } from './augmentation.js';
import { any } from './per-image.js';

/**
 * Per-image angles in degrees (0 where the step is not applied): an apply draw and an angle
 * draw for every image, so the stream does not depend on p.
 */
export function drawRotationAngles(batch: number, step: StepOf<'rotate'>, rng: Rng): number[] {
  const angles: number[] = [];
  for (let n = 0; n < batch; n++) {
    const apply = rng.bernoulli(step.p);
    const angle = rng.uniform(-step.degrees, step.degrees);
    angles.push(apply ? angle : 0);
  }
  return angles;
}

/**
 * tf.image.transform's 8-parameter projective matrix mapping an output pixel back to its source
 * pixel, for a rotation by `degrees` about the image centre (positive: counter-clockwise on
 * screen, as torchvision).
 */
export function rotationMatrix(degrees: number, height: number, width: number): number[] {
  if (degrees === 0) return [1, 0, 0, 0, 1, 0, 0, 0];
  const t = (degrees * Math.PI) / 180;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  // source = R(t)·(output − centre) + centre; with y pointing down this turns content
  // counter-clockwise on screen (90°: the top-right output pixel comes from the bottom-right)
  return [cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy, 0, 0];
}

/** Rotates every image by its own angle in one batched Transform (bilinear). */
export function rotateImages(images: tf.Tensor4D, degrees: readonly number[], fill: RotateFill = 'zero'): tf.Tensor4D {
  if (!any(degrees.map((d) => d !== 0))) return images.clone();
  const [batch, height, width] = images.shape;
  const matrices = new Float32Array(batch * 8);
  degrees.forEach((d, n) => matrices.set(rotationMatrix(d, height, width), 8 * n));
  return tf.tidy(() =>
    tf.image.transform(
      images,
      tf.tensor2d(matrices, [batch, 8]),
      'bilinear',
      fill === 'zero' ? 'constant' : 'reflect',
      0,
    ),
  );
}

export function randomRotation(images: tf.Tensor4D, step: StepOf<'rotate'>, rng: Rng): tf.Tensor4D {
  return rotateImages(images, drawRotationAngles(images.shape[0], step, rng), step.fill ?? 'zero');
}

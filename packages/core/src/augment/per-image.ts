import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';

/**
 * Per-image parameters drawn on the JS side become [B, 1, 1, 1] tensors that broadcast over
 * an NHWC batch, so one tensor op applies a different value to every image. (On wasm this
 * broadcast is the fast one; broadcasting a [B, H, W, 1] or a [3] over NHWC is several times
 * slower, and bool ops, select, slice, tile and min/max against a scalar are slower still, so
 * the steps are written with add/sub/mul/clip/step/relu and 1×1 convolutions.)
 */
export function perImage(values: ArrayLike<number>): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(values), [values.length, 1, 1, 1]);
}

/**
 * Chooses `ifTrue` for the images whose mask is set, `ifFalse` for the others:
 * ifFalse·(1 − m) + ifTrue·m with m ∈ {0, 1}, which is exact (0·x = 0, x + 0 = x).
 */
export function selectImages(mask: ArrayLike<boolean>, ifTrue: tf.Tensor4D, ifFalse: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const m = perImage(Array.from(mask, (v) => (v ? 1 : 0)));
    return tf.add(tf.mul(ifFalse, tf.sub(1, m)), tf.mul(ifTrue, m)) as tf.Tensor4D;
  });
}

export function any(mask: ArrayLike<boolean>): boolean {
  for (let i = 0; i < mask.length; i++) if (mask[i]) return true;
  return false;
}

/** Independent Bernoulli(p) draws, one per image. */
export function drawMask(batch: number, p: number, rng: Rng): boolean[] {
  const mask = new Array<boolean>(batch);
  for (let i = 0; i < batch; i++) mask[i] = rng.bernoulli(p);
  return mask;
}

import type * as tf from '@tensorflow/tfjs-core';
import type { ViewPipeline } from '@sempair/core';
import type { Tile } from './contact-sheet.js';

/**
 * Undoes the pipeline's `normalize` steps ((x − mean) / std → x) so the view shows as the
 * network's input would look before normalising, in [0, 1]. Every built-in preset normalises
 * last, so inverting at the end is exact for them.
 */
function denormalize(values: Float32Array, pipeline: ViewPipeline): Float32Array {
  const out = Float32Array.from(values);
  const normalizeSteps = pipeline.steps.filter((s) => s.type === 'normalize').reverse();
  for (const step of normalizeSteps) {
    for (let i = 0; i < out.length; i++) out[i] = out[i]! * step.std[i % 3]! + step.mean[i % 3]!;
  }
  return out;
}

/** One tile per image of an augmented view [B, h, w, 3] (float, normalised as the pipeline says). */
export async function viewTiles(view: tf.Tensor4D, pipeline: ViewPipeline): Promise<Tile[]> {
  const [batch, height, width, channels] = view.shape;
  if (channels !== 3) throw new Error(`augmented views have 3 channels, got ${channels}`);
  const values = denormalize((await view.data()) as Float32Array, pipeline);
  const size = height * width * 3;
  return Array.from({ length: batch }, (_, i) => {
    const pixels = new Uint8Array(size);
    for (let p = 0; p < size; p++) pixels[p] = Math.round(Math.min(1, Math.max(0, values[i * size + p]!)) * 255);
    return { pixels, height, width, channels: 3 };
  });
}

import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';

/**
 * One step of a view's augmentation pipeline (JSON-serialisable). Order in a pipeline is the
 * order of application. `p` is the probability the step is applied to an image.
 */
export type AugmentStep =
  | { type: 'crop'; size: number; scale: [number, number]; ratio: [number, number] }
  | { type: 'rotate'; degrees: number; p: number }
  | { type: 'jitter'; brightness: number; contrast: number; saturation: number; hue: number; p: number }
  | { type: 'grayscale'; p: number }
  | { type: 'blur'; sigma: [number, number]; p: number }
  | { type: 'solarize'; threshold: number; p: number }
  | { type: 'flip'; p: number }
  | { type: 'normalize'; mean: [number, number, number]; std: [number, number, number] };

export type AugmentStepType = AugmentStep['type'];

/** The pipeline of one view. */
export interface ViewPipeline {
  steps: AugmentStep[];
}

/** A named preset: one pipeline per view (two for symmetric methods, more for multi-crop). */
export interface AugmentationPreset {
  id: string;
  description: string;
  views: ViewPipeline[];
}

/**
 * Runs a pipeline on a batch: images [B, H, W, C] float32 in [0, 1] → augmented, normalised
 * views [B, size, size, C]. All randomness comes from `rng`, one draw per image per step.
 */
export type Augmenter = (images: tf.Tensor4D, pipeline: ViewPipeline, rng: Rng) => tf.Tensor4D;

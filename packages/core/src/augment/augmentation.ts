import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';

/**
 * One step of a view's augmentation pipeline (JSON-serialisable). Order in a pipeline is the
 * order of application. `p` is the probability the step is applied to an image.
 *
 * - `crop`: torchvision RandomResizedCrop — area fraction in `scale`, log-uniform aspect `ratio`,
 *   bilinear resize to `size`×`size`.
 * - `resize`: plain bilinear resize to `size`×`size` (what a disabled `crop` becomes).
 * - `rotate`: angle uniform in ±`degrees`; `fill` the uncovered corners with black (`zero`,
 *   torchvision's default, the default here) or by mirroring the image (`reflect`).
 * - `blur`: `offAtOrBelow` turns the step off (p 0) when the view is that small or smaller —
 *   SimCLR does not blur 32 px images; `presetForSize` applies it.
 */
export type AugmentStep =
  | { type: 'crop'; size: number; scale: [number, number]; ratio: [number, number] }
  | { type: 'resize'; size: number }
  | { type: 'rotate'; degrees: number; p: number; fill?: RotateFill }
  | { type: 'jitter'; brightness: number; contrast: number; saturation: number; hue: number; p: number }
  | { type: 'grayscale'; p: number }
  | { type: 'blur'; sigma: [number, number]; p: number; offAtOrBelow?: number }
  | { type: 'solarize'; threshold: number; p: number }
  | { type: 'flip'; p: number }
  | { type: 'normalize'; mean: [number, number, number]; std: [number, number, number] };

export type AugmentStepType = AugmentStep['type'];

/** The step of a given type, e.g. `StepOf<'blur'>`. */
export type StepOf<T extends AugmentStepType> = Extract<AugmentStep, { type: T }>;

export type RotateFill = 'zero' | 'reflect';

/** The pipeline of one view. */
export interface ViewPipeline {
  steps: AugmentStep[];
  /**
   * Output size of this view relative to the run's image size when the pipeline is resolved
   * (DINO local crops: 3/7). Default 1.
   */
  sizeRatio?: number;
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

import type { ViewPipeline } from '../augment/augmentation.js';
import type { ImageNormalization } from './extract-features.js';

export interface FineTuneViewOptions {
  /** Output size of the training views (the backbone's input size). */
  size: number;
  /** Area fraction range of the random resized crop; [1, 1] keeps the whole image. */
  cropScale: [number, number];
  /** Random horizontal flip (p 0.5). */
  flip: boolean;
  normalization: ImageNormalization;
}

/**
 * The supervised training augmentation of fine-tuning: random resized crop (torchvision's
 * aspect range 3/4–4/3) → horizontal flip → normalise with the run's statistics. Nothing of
 * the self-supervised recipes (jitter, blur, grayscale, …): fine-tuning protocols (DeiT, which
 * DINO follows, and the supervised CIFAR/STL recipes) train the classifier on crops and flips.
 * Test images get no augmentation (see extractFeatures).
 */
export function fineTuneTrainView({ size, cropScale, flip, normalization }: FineTuneViewOptions): ViewPipeline {
  return {
    steps: [
      { type: 'crop', size, scale: [cropScale[0], cropScale[1]], ratio: [3 / 4, 4 / 3] },
      { type: 'flip', p: flip ? 0.5 : 0 },
      { type: 'normalize', mean: [...normalization.mean], std: [...normalization.std] },
    ],
  };
}

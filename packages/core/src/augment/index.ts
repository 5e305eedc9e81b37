import type { AugmentationPreset } from './augmentation.js';
export * from './augmentation.js';
// owner: augmentation work — presets and the batched augmenter
export const builtinAugmentations: AugmentationPreset[] = [];

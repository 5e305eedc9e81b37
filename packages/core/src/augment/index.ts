import type { AugmentationPreset } from './augmentation.js';
import { asymmetricPreset, cropOnlyPreset, symmetricPreset, vicregPreset } from './presets.js';
export * from './augmentation.js';
export * from './augment.js';
export * from './ablation.js';
export * from './presets.js';
export { toRgb } from './channels.js';
export { IMAGENET_MEAN, IMAGENET_STD } from './normalize.js';
export { sampleCropBox, type CropBox } from './random-resized-crop.js';
export { blurKernelSize, gaussianKernel1d } from './gaussian-blur.js';
export { AUGMENT_STEP_TYPES, validateViewPipeline, validateAugmentStep } from './validate.js';
// owner: augmentation work — presets and the batched augmenter
export const builtinAugmentations: AugmentationPreset[] = [symmetricPreset, asymmetricPreset, vicregPreset, cropOnlyPreset];

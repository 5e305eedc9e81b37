import { UserError } from '../errors.js';
import type { AugmentationPreset, AugmentStep, StepOf, ViewPipeline } from './augmentation.js';
import { IMAGENET_MEAN, IMAGENET_STD } from './normalize.js';

/**
 * The presets of REFERENCE.md (order: crop → rotate → jitter → grayscale → blur → solarize →
 * flip → normalise). Sizes are written for 224 px and set for a run by `presetForSize`.
 * Every preset carries every step, with p 0 where the recipe leaves it out, so an override can
 * switch any of them on.
 */
export const PRESET_IMAGE_SIZE = 224;

/** Inception-style crop aspect range, as torchvision's default. */
const RATIO: [number, number] = [3 / 4, 4 / 3];

/**
 * The paper adds random rotation to the standard recipes; its amount is not given, so a modest
 * ±15° on half of the images, corners filled black as torchvision's RandomRotation. Switch it
 * off with `disable: ['rotate']`, or change it with `overrides: {rotate: {...}}`.
 */
export const DEFAULT_ROTATION: StepOf<'rotate'> = { type: 'rotate', degrees: 15, p: 0.5, fill: 'zero' };

/** DINO local crops are 96 px for 224 px globals. */
export const DINO_LOCAL_RATIO = 3 / 7;

interface ViewRecipe {
  scale: [number, number];
  jitter: [number, number, number, number];
  blur: number;
  solarize: number;
  /** SimCLR turns blur off at 32 px. */
  blurOffAtOrBelow?: number;
}

function view(recipe: ViewRecipe): ViewPipeline {
  const [brightness, contrast, saturation, hue] = recipe.jitter;
  const blur: StepOf<'blur'> = { type: 'blur', sigma: [0.1, 2], p: recipe.blur };
  if (recipe.blurOffAtOrBelow !== undefined) blur.offAtOrBelow = recipe.blurOffAtOrBelow;
  return {
    steps: [
      { type: 'crop', size: PRESET_IMAGE_SIZE, scale: [...recipe.scale], ratio: [...RATIO] },
      { ...DEFAULT_ROTATION },
      { type: 'jitter', brightness, contrast, saturation, hue, p: 0.8 },
      { type: 'grayscale', p: 0.2 },
      blur,
      { type: 'solarize', threshold: 0.5, p: recipe.solarize },
      { type: 'flip', p: 0.5 },
      normalizeStep(),
    ],
  };
}

function normalizeStep(): StepOf<'normalize'> {
  return { type: 'normalize', mean: [...IMAGENET_MEAN], std: [...IMAGENET_STD] };
}

const BYOL_JITTER: [number, number, number, number] = [0.4, 0.4, 0.2, 0.1];

export const symmetricPreset: AugmentationPreset = {
  id: 'symmetric',
  description: 'SimCLR: two identical views — crop 0.08–1, strong colour jitter, blur 0.5 (off at 32 px)',
  views: [0, 1].map(() =>
    view({ scale: [0.08, 1], jitter: [0.8, 0.8, 0.8, 0.2], blur: 0.5, solarize: 0, blurOffAtOrBelow: 32 }),
  ),
};

export const asymmetricPreset: AugmentationPreset = {
  id: 'asymmetric',
  description: 'BYOL / DINO globals: view 1 always blurred, view 2 rarely blurred and sometimes solarized',
  views: [
    view({ scale: [0.08, 1], jitter: BYOL_JITTER, blur: 1.0, solarize: 0 }),
    view({ scale: [0.08, 1], jitter: BYOL_JITTER, blur: 0.1, solarize: 0.2 }),
  ],
};

export const vicregPreset: AugmentationPreset = {
  id: 'vicreg',
  description: 'VICReg: two identical views — crop 0.2–1, blur 0.5, solarize 0.1',
  views: [0, 1].map(() => view({ scale: [0.2, 1], jitter: BYOL_JITTER, blur: 0.5, solarize: 0.1 })),
};

/** The ablation without appearance changes: random resized crop and normalise only. */
export const cropOnlyPreset: AugmentationPreset = {
  id: 'crop-only',
  description: 'ablation: random resized crop 0.08–1 and normalise only (rotation present, p 0)',
  views: [0, 1].map(() => ({
    steps: [
      { type: 'crop', size: PRESET_IMAGE_SIZE, scale: [0.08, 1], ratio: [...RATIO] },
      { ...DEFAULT_ROTATION, p: 0 },
      normalizeStep(),
    ],
  })),
};

/** One DINO local crop: scale 0.05–0.4 at 3/7 of the global size, asymmetric's colour recipe. */
export function dinoLocalView(): ViewPipeline {
  return {
    ...view({ scale: [0.05, 0.4], jitter: BYOL_JITTER, blur: 0.5, solarize: 0 }),
    sizeRatio: DINO_LOCAL_RATIO,
  };
}

/** Output size of a view for a run whose images are `size` px (local crops are smaller). */
export function viewOutputSize(pipeline: ViewPipeline, size: number): number {
  return Math.max(1, Math.round(size * (pipeline.sizeRatio ?? 1)));
}

/** Sets a view's crop/resize size for a run and applies size-dependent rules (blur off when small). */
export function pipelineForSize(pipeline: ViewPipeline, size: number): ViewPipeline {
  const side = viewOutputSize(pipeline, size);
  const steps = pipeline.steps.map((original): AugmentStep => {
    const step = structuredClone(original); // the registered preset must never be mutated
    if (step.type === 'crop' || step.type === 'resize') step.size = side;
    if (step.type === 'blur' && step.offAtOrBelow !== undefined && side <= step.offAtOrBelow) step.p = 0;
    return step;
  });
  return { ...pipeline, steps };
}

/** A preset with every view sized for images of `size` px (SimCLR's blur switched off at ≤ 32 px). */
export function presetForSize(preset: AugmentationPreset, size: number): AugmentationPreset {
  if (!Number.isInteger(size) || size < 1) {
    throw new UserError(`image size must be a whole number of pixels ≥ 1, got ${size}`, 'set the run’s image size to a whole number of pixels, e.g. 32');
  }
  return { ...preset, views: preset.views.map((v) => pipelineForSize(v, size)) };
}

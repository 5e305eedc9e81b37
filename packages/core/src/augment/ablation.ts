import { UserError } from '../errors.js';
import type { AugmentationPreset, AugmentStep, AugmentStepType, StepOf, ViewPipeline } from './augmentation.js';
import { dinoLocalView, pipelineForSize, presetForSize } from './presets.js';
import { STEP_FIELDS, validateViewPipeline } from './validate.js';

/** Steps an ablation may switch off (`resize` only exists as what a disabled crop becomes). */
export const DISABLEABLE_STEPS: readonly AugmentStepType[] = [
  'crop', 'rotate', 'jitter', 'grayscale', 'blur', 'solarize', 'flip', 'normalize',
];

const ALIASES: Record<string, AugmentStepType> = { normalise: 'normalize' };

function checkNames(types: readonly string[]): Set<AugmentStepType> {
  const out = new Set<AugmentStepType>();
  for (const name of types) {
    const type = ALIASES[name] ?? name;
    if (!(DISABLEABLE_STEPS as readonly string[]).includes(type)) {
      throw new UserError(
        `unknown augmentation step '${name}' to disable`,
        `use one or more of: ${DISABLEABLE_STEPS.join(', ')}`,
      );
    }
    out.add(type as AugmentStepType);
  }
  return out;
}

function disableInPipeline(pipeline: ViewPipeline, off: Set<AugmentStepType>): ViewPipeline {
  const steps: AugmentStep[] = [];
  for (const step of pipeline.steps) {
    if (!off.has(step.type)) steps.push(structuredClone(step));
    // the view must still come out at its size: a crop switched off becomes a plain resize
    else if (step.type === 'crop') steps.push({ type: 'resize', size: step.size });
  }
  return { ...pipeline, steps };
}

/**
 * Removes every step of the given types (e.g. `['blur', 'rotate']`) from a pipeline or from all
 * views of a preset; a removed crop becomes a resize to the same size. Unknown names end in a
 * UserError listing the valid ones.
 */
export function disableSteps(pipeline: ViewPipeline, types: readonly string[]): ViewPipeline;
export function disableSteps(preset: AugmentationPreset, types: readonly string[]): AugmentationPreset;
export function disableSteps(
  target: ViewPipeline | AugmentationPreset,
  types: readonly string[],
): ViewPipeline | AugmentationPreset {
  const off = checkNames(types);
  if ('views' in target) return { ...target, views: target.views.map((v) => disableInPipeline(v, off)) };
  return disableInPipeline(target, off);
}

/** New values for some fields of every step of a type, e.g. `{rotate: {p: 0.8}, blur: {p: 0}}`. */
export type StepOverrides = { [K in AugmentStepType]?: Partial<Omit<StepOf<K>, 'type'>> };

function overridePipeline(pipeline: ViewPipeline, overrides: StepOverrides): ViewPipeline {
  const steps = pipeline.steps.map((step): AugmentStep => {
    const change = overrides[step.type];
    return change ? ({ ...structuredClone(step), ...structuredClone(change) } as AugmentStep) : step;
  });
  return { ...pipeline, steps };
}

/**
 * Applies overrides to every view (one object) or view by view (an array, one per view). Naming
 * a step type or field that does not exist is a UserError, never a silent no-op.
 */
export function applyStepOverrides(
  views: readonly ViewPipeline[],
  overrides: StepOverrides | readonly StepOverrides[],
  presetId = 'augmentation',
): ViewPipeline[] {
  const perView = Array.isArray(overrides) ? overrides : views.map(() => overrides as StepOverrides);
  if (perView.length > views.length) {
    throw new UserError(
      `${perView.length} per-view augmentation overrides given but '${presetId}' has ${views.length} views`,
      `give at most ${views.length} override objects`,
    );
  }
  perView.forEach((change, v) => {
    for (const [type, fields] of Object.entries(change ?? {})) {
      const present = views[v]!.steps.map((s) => s.type as string);
      if (!Object.hasOwn(STEP_FIELDS, type) || !present.includes(type)) {
        throw new UserError(
          `augmentation override for '${type}': ${presetId} view ${v + 1} has no such step`,
          `override one of: ${[...new Set(present)].join(', ')}`,
        );
      }
      for (const field of Object.keys(fields ?? {})) {
        if (!Object.hasOwn(STEP_FIELDS[type as AugmentStepType], field)) {
          throw new UserError(
            `augmentation override ${type}.${field}: ${type} has no field '${field}'`,
            `${type} takes: ${Object.keys(STEP_FIELDS[type as AugmentStepType]).join(', ')}`,
          );
        }
      }
    }
  });
  return views.map((view, v) => (perView[v] ? overridePipeline(view, perView[v]!) : view));
}

export interface ResolveOptions {
  /** The run's image size in pixels: global views come out at this size. */
  size: number;
  /** Step types to switch off in every view, e.g. `['blur', 'rotate']`. */
  disable?: readonly string[];
  /** Field changes, for all views (object) or per view (array). Applied after sizing. */
  overrides?: StepOverrides | readonly StepOverrides[];
  /** Extra DINO local crops (3/7 of `size`, scale 0.05–0.4) appended after the preset's views. */
  localCrops?: number;
}

/**
 * The per-view pipelines a run uses, fully resolved and validated: sized for the run
 * (`presetForSize`), local crops appended, overrides applied, then steps disabled.
 */
export function resolveAugmentation(preset: AugmentationPreset, options: ResolveOptions): ViewPipeline[] {
  const locals = options.localCrops ?? 0;
  if (!Number.isInteger(locals) || locals < 0) {
    throw new UserError(`localCrops must be a whole number ≥ 0, got ${locals}`, 'use e.g. 6 for DINO, 0 otherwise');
  }
  let views = presetForSize(preset, options.size).views;
  for (let i = 0; i < locals; i++) views.push(pipelineForSize(dinoLocalView(), options.size));
  if (options.overrides) views = applyStepOverrides(views, options.overrides, `preset '${preset.id}'`);
  if (options.disable?.length) views = views.map((v) => disableSteps(v, options.disable!));
  views.forEach((v, i) => validateViewPipeline(v, `preset '${preset.id}' view ${i + 1}`));
  return views;
}

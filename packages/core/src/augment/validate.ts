import { UserError } from '../errors.js';
import type { AugmentStep, AugmentStepType, ViewPipeline } from './augmentation.js';

/** What a field of a step must hold, with the words an error message uses for it. */
interface FieldSpec {
  describe: string;
  optional?: boolean;
  ok(value: unknown): boolean;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const inRange = (low: number, high: number) => (v: unknown) => isNumber(v) && v >= low && v <= high;
const pairOf = (ok: (v: number) => boolean) => (v: unknown) =>
  Array.isArray(v) && v.length === 2 && v.every(isNumber) && v.every(ok) && v[0] <= v[1];
const tripleOf = (ok: (v: number) => boolean) => (v: unknown) =>
  Array.isArray(v) && v.length === 3 && v.every(isNumber) && v.every(ok);

const probability: FieldSpec = { describe: 'a probability in [0, 1]', ok: inRange(0, 1) };
const size: FieldSpec = { describe: 'a whole number of pixels ≥ 1', ok: (v) => Number.isInteger(v) && (v as number) >= 1 };
const strength: FieldSpec = { describe: 'a number ≥ 0', ok: inRange(0, Number.MAX_VALUE) };

/** Every step type and its fields: the single source for validation, overrides and messages. */
export const STEP_FIELDS: Record<AugmentStepType, Record<string, FieldSpec>> = {
  crop: {
    size,
    scale: { describe: 'an area range [low, high] with 0 < low ≤ high ≤ 1', ok: pairOf((v) => v > 0 && v <= 1) },
    ratio: { describe: 'an aspect-ratio range [low, high] with 0 < low ≤ high', ok: pairOf((v) => v > 0) },
  },
  resize: { size },
  rotate: {
    degrees: { describe: 'an angle in [0, 180] degrees', ok: inRange(0, 180) },
    p: probability,
    fill: { describe: "'zero' or 'reflect'", optional: true, ok: (v) => v === 'zero' || v === 'reflect' },
  },
  jitter: {
    brightness: strength,
    contrast: strength,
    saturation: strength,
    hue: { describe: 'a hue shift in [0, 0.5]', ok: inRange(0, 0.5) },
    p: probability,
  },
  grayscale: { p: probability },
  blur: {
    sigma: { describe: 'a σ range [low, high] with 0 < low ≤ high', ok: pairOf((v) => v > 0) },
    p: probability,
    offAtOrBelow: { describe: 'a whole number of pixels ≥ 0', optional: true, ok: (v) => Number.isInteger(v) && (v as number) >= 0 },
  },
  solarize: { threshold: { describe: 'a threshold in [0, 1]', ok: inRange(0, 1) }, p: probability },
  flip: { p: probability },
  normalize: {
    mean: { describe: 'three channel means', ok: tripleOf(() => true) },
    std: { describe: 'three channel standard deviations > 0', ok: tripleOf((v) => v > 0) },
  },
};

export const AUGMENT_STEP_TYPES = Object.keys(STEP_FIELDS) as AugmentStepType[];

export function isStepType(type: unknown): type is AugmentStepType {
  return typeof type === 'string' && Object.hasOwn(STEP_FIELDS, type);
}

/** Checks one step (it may come from a user's JSON config) and names the bad field. */
export function validateAugmentStep(step: unknown, where: string): asserts step is AugmentStep {
  const type = (step as { type?: unknown } | null)?.type;
  if (!isStepType(type)) {
    throw new UserError(
      `augmentation ${where}: unknown step type ${JSON.stringify(type)}`,
      `use one of: ${AUGMENT_STEP_TYPES.join(', ')}`,
    );
  }
  const fields = STEP_FIELDS[type];
  const record = step as Record<string, unknown>;
  for (const [name, spec] of Object.entries(fields)) {
    const value = record[name];
    if (value === undefined && spec.optional) continue;
    if (!spec.ok(value)) {
      throw new UserError(
        `augmentation ${where}: ${type}.${name} must be ${spec.describe}, got ${JSON.stringify(value)}`,
        `fix ${type}.${name} in the augmentation preset or overrides`,
      );
    }
  }
  for (const name of Object.keys(record)) {
    if (name !== 'type' && !Object.hasOwn(fields, name)) {
      throw new UserError(
        `augmentation ${where}: ${type} has no field '${name}'`,
        `${type} takes: ${Object.keys(fields).join(', ')}`,
      );
    }
  }
}

export function validateViewPipeline(pipeline: ViewPipeline, where = 'pipeline'): void {
  if (!pipeline || !Array.isArray(pipeline.steps)) {
    throw new UserError(`augmentation ${where}: expected {steps: [...]}`, 'give each view a list of steps');
  }
  if (pipeline.sizeRatio !== undefined && !(isNumber(pipeline.sizeRatio) && pipeline.sizeRatio > 0)) {
    throw new UserError(
      `augmentation ${where}: sizeRatio must be a number > 0, got ${JSON.stringify(pipeline.sizeRatio)}`,
      'leave sizeRatio out for views at the run’s image size',
    );
  }
  pipeline.steps.forEach((step, i) => validateAugmentStep(step, `${where} step ${i + 1}`));
}

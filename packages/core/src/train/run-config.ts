import { UserError } from '../errors.js';
import { DEFAULT_TRAINING, type TrainingOptions } from '../optim/training-options.js';
import { resolveOptions, type OptionValues } from '../options.js';
import type { Registry } from '../registry.js';
import { methodTraining } from '../method.js';

/**
 * The fully resolved description of one pre-training run. Saved as `config.json` in the run
 * directory; together with the code version it determines the run (every random choice
 * flows from `seed`).
 */
export interface RunConfig {
  method: string;
  methodOptions: OptionValues;
  dataset: string;
  datasetOptions: OptionValues;
  pairs: string;
  pairOptions: OptionValues;
  backbone: string;
  backboneOptions: OptionValues;
  augmentation: {
    /** Preset id; empty means the method's default preset. */
    preset: string;
    /** Output size of the (global) views in pixels. */
    size: number;
    /** Step types switched off for ablations (e.g. ["grayscale", "blur"]). */
    disable: string[];
    /** Extra small local crops per pair (DINO multi-crop); 0 keeps the preset's views only. */
    localCrops: number;
  };
  epochs: number;
  batchSize: number;
  training: TrainingOptions;
  seed: number;
  /** Backend preference the run asked for (the one used is recorded in status.json). */
  backend: string;
  /** Save a checkpoint every N epochs (the last epoch always saves). */
  checkpointEvery: number;
  /** Append a metrics line every N steps. */
  logEvery: number;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };
export type RunConfigInput = DeepPartial<RunConfig>;

/** Defaults for a laptop run on the embedded data: small ResNet-18, 32 px, a few epochs. */
export const DEFAULT_RUN: RunConfigInput = {
  method: 'simclr',
  dataset: 'synthetic',
  pairs: 'semantic-labels',
  backbone: 'resnet18',
  augmentation: { preset: '', size: 32, disable: [], localCrops: 0 },
  epochs: 10,
  batchSize: 128,
  seed: 0,
  backend: 'auto',
  checkpointEvery: 1,
  logEvery: 10,
};

/** Options of the default backbone for laptop runs (width 16: ResNet-18 at a quarter width). */
export const DEFAULT_BACKBONE_OPTIONS = { width: 16, cifarStem: true };

/** The keys a config layer may have. */
export const RUN_CONFIG_KEYS: ReadonlySet<string> = new Set<string>([
  'method', 'methodOptions', 'dataset', 'datasetOptions', 'pairs', 'pairOptions', 'backbone',
  'backboneOptions', 'augmentation', 'epochs', 'batchSize', 'training', 'seed', 'backend',
  'checkpointEvery', 'logEvery',
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Later layers fill what earlier ones leave out (objects merged key by key, arrays replaced). */
export function mergeConfigLayers(high: Record<string, unknown>, low: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...low };
  for (const [k, v] of Object.entries(high)) {
    if (v === undefined) continue;
    out[k] = isObject(v) && isObject(low[k]) ? mergeConfigLayers(v, low[k] as Record<string, unknown>) : v;
  }
  return out;
}

/** A whole number ≥ `min` (1: counts and sizes; 0: extras that may be absent). */
function wholeNumber(value: unknown, name: string, min: 0 | 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    const what = min === 1 ? 'a positive integer' : 'a whole number ≥ 0';
    throw new UserError(`${name} must be ${what}, got ${JSON.stringify(value)}`, `set ${name} to e.g. ${min}`);
  }
  return value;
}

/**
 * Resolves a run config from layers, highest priority first (flags, then config file), over
 * the method's and plugins' defaults. Unknown keys and bad values end in a UserError.
 */
export function resolveRunConfig(layers: RunConfigInput[], registry: Registry): RunConfig {
  let raw: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const key of Object.keys(layer ?? {})) {
      if (!RUN_CONFIG_KEYS.has(key)) {
        throw new UserError(`unknown config key '${key}'`, `use one of: ${[...RUN_CONFIG_KEYS].join(', ')}`);
      }
    }
    raw = mergeConfigLayers(raw, (layer ?? {}) as Record<string, unknown>);
  }
  // The laptop-sized backbone applies only when the user kept the default backbone.
  if (raw.backbone === undefined || raw.backbone === DEFAULT_RUN.backbone) {
    raw = mergeConfigLayers(raw, { backboneOptions: DEFAULT_BACKBONE_OPTIONS });
  }
  raw = mergeConfigLayers(raw, DEFAULT_RUN as Record<string, unknown>);

  const method = registry.methods.get(String(raw.method));
  const dataset = registry.datasets.get(String(raw.dataset));
  const pairs = registry.pairSources.get(String(raw.pairs));
  const backbone = registry.backbones.get(String(raw.backbone));
  const training = mergeConfigLayers((raw.training ?? {}) as Record<string, unknown>, {
    ...DEFAULT_TRAINING,
    ...methodTraining(method, backbone.id),
  }) as unknown as TrainingOptions;
  for (const key of Object.keys(training)) {
    if (!(key in DEFAULT_TRAINING)) {
      throw new UserError(`unknown training option '${key}'`, `use one of: ${Object.keys(DEFAULT_TRAINING).join(', ')}`);
    }
  }
  if (!['sgd', 'lars', 'adamw'].includes(training.optimizer)) {
    throw new UserError(`unknown optimizer '${training.optimizer}'`, 'use one of: sgd, lars, adamw');
  }
  const aug = (raw.augmentation ?? {}) as RunConfig['augmentation'];
  const preset = aug.preset || method.augmentation;
  registry.augmentations.get(preset);

  return {
    method: method.id,
    methodOptions: resolveOptions(method.options, raw.methodOptions as OptionValues, `method ${method.id}`),
    dataset: dataset.id,
    datasetOptions: resolveOptions(dataset.options, raw.datasetOptions as OptionValues, `dataset ${dataset.id}`),
    pairs: pairs.id,
    pairOptions: resolveOptions(pairs.options, raw.pairOptions as OptionValues, `pair source ${pairs.id}`),
    backbone: backbone.id,
    backboneOptions: resolveOptions(backbone.options, raw.backboneOptions as OptionValues, `backbone ${backbone.id}`),
    augmentation: {
      preset,
      size: wholeNumber(aug.size, 'augmentation.size', 1),
      disable: [...(aug.disable ?? [])],
      localCrops: wholeNumber(aug.localCrops ?? 0, 'augmentation.localCrops', 0),
    },
    epochs: wholeNumber(raw.epochs, 'epochs', 1),
    batchSize: wholeNumber(raw.batchSize, 'batchSize', 1),
    training,
    seed: Number(raw.seed) >>> 0,
    backend: String(raw.backend),
    checkpointEvery: wholeNumber(raw.checkpointEvery, 'checkpointEvery', 1),
    logEvery: wholeNumber(raw.logEvery, 'logEvery', 1),
  };
}

import type { OptionValues } from '../options.js';
import { mergeConfigLayers, type RunConfigInput } from '../train/run-config.js';
import type { AxisValueSpec, EvaluationSpec } from './experiment-spec.js';
import { quickPreset } from './quick.js';

/**
 * The laptop recipe every `--scale cpu` preset shares, read from the quick preset (`sempair
 * reproduce quick`, the README's main job) so that tuning quick tunes them all: its data,
 * backbone, view size, epochs, batch, seed and schedule, its per-method head sizes
 * (`methodSettings`), its downstream evaluation and its baselines (a "random init" row). Nothing
 * here repeats one of its numbers.
 */
function quickRun(label: string): RunConfigInput {
  const run = quickPreset.runs.find((r) => r.label === label);
  if (!run) throw new Error(`the quick preset has no ${label} run`);
  return run.config;
}

const sp = quickRun('SP');
const ap = quickRun('AP');
const { pairs: _pairs, pairOptions: _pairOptions, methodOptions, ...shared } = sp;
const recipeMethod = shared.method ?? 'simclr';
// What belongs to quick's own method (its options, an explicit augmentation preset) moves into
// that method's settings, so a grid over methods gives the others their own.
const { preset: ownPreset, ...augmentation } = shared.augmentation ?? {};
const ownSettings: RunConfigInput = {
  ...(methodOptions ? { methodOptions } : {}),
  ...(ownPreset ? { augmentation: { preset: ownPreset } } : {}),
};
const methodSettings: Record<string, RunConfigInput> = { ...(quickPreset.methodSettings ?? {}) };
methodSettings[recipeMethod] = mergeConfigLayers(ownSettings as Record<string, unknown>, (methodSettings[recipeMethod] ?? {}) as Record<string, unknown>) as RunConfigInput;

const downstream = quickPreset.evaluations[0];
if (!downstream) throw new Error('the quick preset has no evaluation');
const sceneOptions = { ...((shared.datasetOptions ?? {}) as OptionValues) };
delete sceneOptions.split;
delete sceneOptions.perClass;

/** `key=value,…` of a downstream dataset's options (the evaluators' datasetOptions form). */
function optionString(values: OptionValues): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}

export const laptopRecipe = {
  /** Everything but the pairs and the method's own settings: data, backbone, budget, seed. */
  base: { ...shared, augmentation, method: recipeMethod } as RunConfigInput,
  method: recipeMethod,
  epochs: shared.epochs ?? 10,
  /** Images per class of the pre-training data (the data-size axis scales from it). */
  perClass: Number((shared.datasetOptions as OptionValues | undefined)?.perClass ?? 0),
  /** Semantic and augmented pairs as quick makes them. */
  pairs: {
    SP: { label: 'SP', pairs: sp.pairs, ...(sp.pairOptions ? { pairOptions: sp.pairOptions } : {}) } as AxisValueSpec,
    AP: { label: 'AP', pairs: ap.pairs, ...(ap.pairOptions ? { pairOptions: ap.pairOptions } : {}) } as AxisValueSpec,
  },
  methodSettings,
  /** Quick's baselines (random init), so every cpu table shows whether pre-training beats an untrained backbone. */
  baselines: [...(quickPreset.baselines ?? [])],
  /**
   * Three downstream sets the pre-training never saw, standing for the paper's three: quick's
   * own (the shifted scenes, for STL-10), new scenes of the pre-training domain from another
   * generator seed (for CIFAR-10), and Fashion-MNIST, a different domain (for CIFAR-100).
   */
  downstream: {
    shifted: { name: 'linear-shifted', evaluator: downstream.id, options: downstream.options } as EvaluationSpec,
    scenes: {
      name: 'linear-scenes',
      evaluator: downstream.id,
      options: { ...downstream.options, dataset: 'synthetic', datasetOptions: optionString({ ...sceneOptions, seed: 1 }) },
    } as EvaluationSpec,
    fashion: {
      name: 'linear-fashion',
      evaluator: downstream.id,
      options: { ...downstream.options, dataset: 'fashion-mnist', datasetOptions: 'channels=3,limit=5000' },
    } as EvaluationSpec,
  },
  sceneOptions,
};

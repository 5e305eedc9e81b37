import { UserError } from '../errors.js';
import type { Registry } from '../registry.js';
import { mergeConfigLayers, type RunConfigInput } from '../train/run-config.js';
import { presetComparisons, type ExperimentPreset, type ExperimentRun } from './experiment-preset.js';

/**
 * The preset repeated for each of `methods`: every run trained with each method's own defaults
 * (optimiser, augmentation preset) plus the preset's laptop settings for that method, everything
 * else (data, pairs, backbone, budget, seed) unchanged. Run ids become `<method>-<label>` (so the
 * quick preset's SimCLR runs keep their directories), labels `<method> <label>`, and each
 * comparison is made within each method. `all` stands for every installed method.
 */
export function presetWithMethods(preset: ExperimentPreset, methods: readonly string[], registry: Registry): ExperimentPreset {
  const installed = registry.methods.list().map((m) => m.id);
  const chosen = methods.includes('all') ? installed : [...new Set(methods)];
  for (const id of chosen) registry.methods.get(id); // unknown ids end in one line naming the installed ones
  if (chosen.length === 0) throw new UserError('--methods names no method', `name some: ${installed.join(', ')} (or all)`);
  const runs: ExperimentRun[] = chosen.flatMap((method) =>
    preset.runs.map((run) => ({
      id: `${method}-${run.label.toLowerCase().replace(/[^\w.-]+/g, '-')}`,
      label: `${method} ${run.label}`,
      axes: { ...(run.axes ?? { pairs: run.label }), method },
      config: mergeConfigLayers({ method, ...(preset.methodSettings?.[method] ?? {}) }, stripMethodSpecific(run.config) as Record<string, unknown>) as RunConfigInput,
    })),
  );
  const ids = new Set(runs.map((r) => r.id));
  if (ids.size !== runs.length) throw new Error(`preset ${preset.id}: run labels must differ to be repeated per method`);
  return {
    ...preset,
    description: `${preset.description} — methods: ${chosen.join(', ')}`,
    runs,
    compare: chosen.flatMap((method) => presetComparisons(preset).map(({ a, b }) => ({ a: `${method} ${a}`, b: `${method} ${b}` }))),
  };
}

/** A run config without what belongs to its original method (options, augmentation preset). */
function stripMethodSpecific(config: RunConfigInput): RunConfigInput {
  const { methodOptions: _options, ...rest } = config;
  if (rest.augmentation) rest.augmentation = { ...rest.augmentation, preset: undefined };
  return rest;
}

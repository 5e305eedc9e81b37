import { resolve } from 'node:path';
import { resolveAugmentation } from '../augment/index.js';
import type { OptionValues } from '../options.js';
import type { Registry } from '../registry.js';
import { resolveRunConfig, type RunConfigInput } from '../train/run-config.js';
import type { ExpandedAxis, ExpandedExperiment, ExperimentInvocation, PlannedRun } from './expanded-experiment.js';
import { presetComparisons, type ExperimentPreset } from './experiment-preset.js';
import { AXES, type AxisName, type TableSpec } from './experiment-spec.js';
import { planBaselines, type BaselineMember } from './plan-baselines.js';
import { planEvaluation } from './plan-evaluation.js';
import { presetWithMethods } from './with-methods.js';

export interface ExpandPresetOptions {
  registry: Registry;
  invocation: ExperimentInvocation;
  overrides?: RunConfigInput;
  evaluatorDefaults?: Record<string, OptionValues>;
  methods?: string[];
}

/** `<runsDir>/reproduce-<preset>`, with a suffix when --epochs makes it a different experiment. */
export function presetDir(runsDir: string, presetId: string, epochs?: number): string {
  return resolve(runsDir, `reproduce-${presetId}${epochs ? `-e${epochs}` : ''}`);
}

/**
 * A preset of explicit runs (`quick`, or a `--preset-file`) as an expanded experiment: each run
 * keeps its own id (and directory), its label is its pairs axis (plus the method with
 * --methods), and the table shows top-1 and top-5 of every evaluation with the preset's
 * comparisons as difference rows, and its baselines after its runs. A reduced-scale experiment: its scale is "cpu".
 */
export function expandPreset(original: ExperimentPreset, options: ExpandPresetOptions): ExpandedExperiment {
  const { registry } = options;
  const preset = options.methods?.length ? presetWithMethods(original, options.methods, registry) : original;
  const dir = presetDir(options.invocation.runsDir, preset.id, options.overrides?.epochs);
  const evaluations = preset.evaluations.map((e) => {
    const { dataKeys: _none, ...plan } = planEvaluation({ evaluator: e.id, options: e.options }, registry, `preset ${preset.id}`, options.evaluatorDefaults);
    return plan;
  });
  const members: BaselineMember[] = preset.runs.map((run) => {
    const config = resolveRunConfig([options.overrides ?? {}, run.config], registry);
    const pipelines = resolveAugmentation(registry.augmentations.get(config.augmentation.preset), config.augmentation);
    const planned: PlannedRun = { id: run.id, label: run.label, axes: run.axes ?? { pairs: run.label }, config, dataRefs: {}, evaluations, runDir: resolve(dir, run.id) };
    return { run: planned, symbolic: config, pipelines };
  });
  const runs: PlannedRun[] = members.map((m) => m.run);
  const axes: ExpandedAxis[] = AXES.filter((a) => runs.some((r) => r.axes[a] !== undefined)).map((name) => ({
    name,
    values: [...new Set(runs.map((r) => r.axes[name]).filter((l): l is string => l !== undefined))].map((label) => ({ label })),
  }));
  const rows: AxisName[] = axes.map((a) => a.name).filter((a) => a !== 'seed');
  const [comparison] = presetComparisons(original);
  const table: TableSpec = {
    id: preset.id,
    title: preset.description,
    rows,
    columns: { metrics: evaluations.flatMap((e) => ['top1', 'top5'].map((metric) => ({ evaluation: e.name, metric, label: `${e.name} ${metric.replace(/^top(\d)$/, 'top-$1')}` }))) },
    ...(comparison && rows.includes('pairs') ? { difference: { axis: 'pairs' as AxisName, a: comparison.a, b: comparison.b } } : {}),
  };
  return {
    id: preset.id,
    description: preset.description,
    scale: 'cpu',
    dir,
    axes,
    runs: [...runs, ...planBaselines(preset.baselines, members, dir)],
    tables: [table],
    missingData: [],
    invocation: options.invocation,
  };
}

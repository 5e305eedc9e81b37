import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  readJson,
  readRunStatus,
  resolveAugmentation,
  resolveRunConfig,
  RUN_FILES,
  stableStringify,
  UserError,
  type EvalResult,
  type ExperimentPreset,
  type ExperimentRun,
  type Registry,
  type RunConfig,
  type RunConfigInput,
  type RunStatus,
} from '@sempair/core';
import type { FileConfig } from '../config/load-config.js';
import { planEvaluations, type PlannedEvaluation } from '../eval/evaluations.js';

export interface PlannedEval {
  plan: PlannedEvaluation;
  /** Result found on disk from an earlier invocation with the same options. */
  done?: EvalResult;
}

export interface PlannedRun {
  run: ExperimentRun;
  config: RunConfig;
  runDir: string;
  /** Status found on disk; null for a run not started yet. */
  status: RunStatus | null;
  evaluations: PlannedEval[];
}

export interface Overrides {
  epochs?: number;
  backend?: string;
}

/** The config without what may change between invocations without changing the results. */
function comparable(config: RunConfig): string {
  const { backend: _backend, ...rest } = config;
  return stableStringify(rest);
}

/** `runsDir/<preset>/`, with a suffix when --epochs makes it a different experiment. */
export function experimentDir(runsDir: string, preset: ExperimentPreset, overrides: Overrides): string {
  return resolve(runsDir, `reproduce-${preset.id}${overrides.epochs ? `-e${overrides.epochs}` : ''}`);
}

/**
 * Resolves every run and evaluation of a preset and reads what earlier invocations left on
 * disk: finished runs are skipped, unfinished ones resumed, evaluations with the same options
 * reused. All configs and options are checked before anything runs.
 */
export async function planExperiment(
  preset: ExperimentPreset,
  registry: Registry,
  dir: string,
  overrides: Overrides,
  file: FileConfig,
): Promise<PlannedRun[]> {
  const planned: PlannedRun[] = [];
  for (const run of preset.runs) {
    const layer: RunConfigInput = {};
    if (overrides.epochs) layer.epochs = overrides.epochs;
    if (overrides.backend) layer.backend = overrides.backend;
    const config = resolveRunConfig([layer, run.config], registry);
    resolveAugmentation(registry.augmentations.get(config.augmentation.preset), config.augmentation);
    const runDir = join(dir, run.id);
    const configPath = join(runDir, RUN_FILES.config);
    if (existsSync(configPath)) {
      const saved = await readJson<RunConfig>(configPath, 'run config');
      if (comparable(saved) !== comparable(config)) {
        throw new UserError(
          `${runDir} holds a run with a different config than preset ${preset.id} asks for`,
          'delete that directory, or pass another --runs-dir',
        );
      }
    }
    const status = await readRunStatus(runDir);
    const evaluations: PlannedEval[] = [];
    const plans = planEvaluations(
      preset.evaluations.map((e) => e.id),
      registry,
      file,
      Object.fromEntries(preset.evaluations.map((e) => [e.id, e.options])),
    );
    for (const plan of plans) {
      const path = join(runDir, RUN_FILES.eval, `${plan.evaluator}.json`);
      let done: EvalResult | undefined;
      if (status?.state === 'completed' && existsSync(path)) {
        const record = await readJson<EvalResult & { options?: Record<string, unknown> }>(path, 'evaluation result');
        // Defaults the evaluation filled in (e.g. the image size from the run) may differ from
        // the plan's; what the preset and config file asked for must not.
        const same = Object.entries(plan.requested).every(([k, v]) => stableStringify(record.options?.[k]) === stableStringify(v));
        if (same) done = { metrics: record.metrics, details: record.details };
      }
      evaluations.push({ plan, done });
    }
    planned.push({ run, config, runDir, status, evaluations });
  }
  return planned;
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  readEvaluation,
  readJson,
  readRunStatus,
  RUN_FILES,
  stableStringify,
  UserError,
  withDataRefs,
  type EvalResult,
  type ExpandedExperiment,
  type PlannedEvaluation,
  type PlannedRun,
  type RunConfig,
  type RunStatus,
} from '@sempair/core';

export interface PlannedEval {
  plan: PlannedEvaluation;
  /** Result found on disk from an earlier invocation with the same options. */
  done?: EvalResult;
}

/** A planned run and what earlier invocations left of it on disk. */
export interface RunPlan {
  run: PlannedRun;
  /** Status found on disk; null for a run not started yet. */
  status: RunStatus | null;
  evaluations: PlannedEval[];
}

/** The config without what may change between invocations without changing the results. */
function comparable(config: RunConfig, refs: Record<string, string>): string {
  const { backend: _backend, ...rest } = withDataRefs(config, refs);
  return stableStringify(rest);
}

/**
 * Reads what earlier invocations left for every run of an experiment: finished runs are
 * skipped, unfinished ones resumed, evaluations with the same options reused. A directory
 * holding another config (a preset whose runs changed) is refused, never overwritten. A
 * baseline has no status and nothing to train: only its evaluations (random-init results).
 */
export async function readRunPlans(experiment: ExpandedExperiment): Promise<RunPlan[]> {
  const plans: RunPlan[] = [];
  for (const run of experiment.runs) {
    if (run.baseline) {
      const evaluations: PlannedEval[] = [];
      for (const plan of run.evaluations) {
        const record = await readEvaluation(run.runDir, plan, { randomInit: true });
        evaluations.push({ plan, ...(record ? { done: { metrics: record.metrics, details: record.details } } : {}) });
      }
      plans.push({ run, status: null, evaluations });
      continue;
    }
    const configPath = join(run.runDir, RUN_FILES.config);
    if (existsSync(configPath)) {
      const saved = await readJson<RunConfig>(configPath, 'run config');
      if (comparable(saved, run.dataRefs) !== comparable(run.config, run.dataRefs)) {
        throw new UserError(`${run.runDir} holds a run with a different config than ${experiment.id} asks for`, 'delete that directory, or pass another --runs-dir');
      }
    }
    const status = await readRunStatus(run.runDir);
    const evaluations: PlannedEval[] = [];
    for (const plan of run.evaluations) {
      const record = status?.state === 'completed' ? await readEvaluation(run.runDir, plan) : undefined;
      evaluations.push({ plan, ...(record ? { done: { metrics: record.metrics, details: record.details } } : {}) });
    }
    plans.push({ run, status, evaluations });
  }
  return plans;
}

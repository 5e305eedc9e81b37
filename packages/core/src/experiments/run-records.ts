import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalResult } from '../evaluator.js';
import type { OptionValues } from '../options.js';
import { readJson, readRunStatus, RUN_FILES, stableStringify, type RunState } from '../runs/run-dir.js';
import type { PlannedEvaluation, PlannedRun } from './expanded-experiment.js';

/** What an evaluation wrote (`eval/<name>.json`). */
export interface EvalRecord extends EvalResult {
  evaluator?: string;
  options?: OptionValues;
  finishedAt?: string;
}

/** A planned run as its directory shows it now. */
export interface RunRecord {
  run: PlannedRun;
  /** `not run` when the directory has no status yet. */
  state: RunState | 'not run';
  step?: number;
  totalSteps?: number;
  finalLoss?: number;
  updatedAt?: string;
  message?: string;
  /** Results whose options match the plan, by evaluation name (absent: not evaluated yet, or with other options). */
  evaluations: Record<string, EvalRecord>;
}

/** The result file of a planned evaluation. */
export function evalResultPath(runDir: string, evaluation: Pick<PlannedEvaluation, 'name'>): string {
  return join(runDir, RUN_FILES.eval, `${evaluation.name}.json`);
}

/**
 * An evaluation's result on disk, when it was made with what the plan asks for: the options
 * given explicitly (the experiment's, the config file's) must be equal; defaults filled in from
 * the run (the image size) may differ.
 */
export async function readEvaluation(runDir: string, plan: PlannedEvaluation): Promise<EvalRecord | undefined> {
  const path = evalResultPath(runDir, plan);
  if (!existsSync(path)) return undefined;
  const record = await readJson<EvalRecord>(path, 'evaluation result');
  const same = Object.entries(plan.requested).every(([k, v]) => stableStringify(record.options?.[k]) === stableStringify(v));
  return same ? record : undefined;
}

/** Reads a run's status and its evaluations (only a completed run's count). */
export async function readRunRecord(run: PlannedRun): Promise<RunRecord> {
  const status = await readRunStatus(run.runDir);
  const evaluations: Record<string, EvalRecord> = {};
  if (status?.state === 'completed') {
    for (const plan of run.evaluations) {
      const record = await readEvaluation(run.runDir, plan);
      if (record) evaluations[plan.name] = record;
    }
  }
  if (!status) return { run, state: 'not run', evaluations };
  return {
    run,
    state: status.state,
    step: status.step,
    totalSteps: status.totalSteps,
    ...(status.finalLoss !== undefined ? { finalLoss: status.finalLoss } : {}),
    updatedAt: status.updatedAt,
    ...(status.message ? { message: status.message } : {}),
    evaluations,
  };
}

export function readRunRecords(runs: PlannedRun[]): Promise<RunRecord[]> {
  return Promise.all(runs.map(readRunRecord));
}

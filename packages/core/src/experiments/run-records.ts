import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalResult } from '../evaluator.js';
import type { OptionValues } from '../options.js';
import { evalResultFile } from '../runs/evaluate-run.js';
import { readJson, readRunStatus, RUN_FILES, stableStringify, type RunState } from '../runs/run-dir.js';
import type { PlannedEvaluation, PlannedRun } from './expanded-experiment.js';

/** What an evaluation wrote (`eval/<name>.json`). */
export interface EvalRecord extends EvalResult {
  evaluator?: string;
  options?: OptionValues;
  /** The backend that computed it. */
  backend?: string;
  /** A random-init baseline's result (no checkpoint). */
  randomInit?: boolean;
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

/** What a baseline's directory holds besides its results: what it is (written before its first evaluation). */
export const BASELINE_FILE = 'baseline.json';

/** The result file of a planned evaluation: `eval/<name>.json`, `eval/<name>-random.json` for a random-init baseline. */
export function evalResultPath(runDir: string, evaluation: Pick<PlannedEvaluation, 'name'>, { randomInit = false } = {}): string {
  return join(runDir, RUN_FILES.eval, evalResultFile(evaluation.name, randomInit));
}

/** The result file of one of a planned run's evaluations (a baseline's are random-init results). */
export function plannedResultPath(run: Pick<PlannedRun, 'runDir' | 'baseline'>, evaluation: Pick<PlannedEvaluation, 'name'>): string {
  return evalResultPath(run.runDir, evaluation, { randomInit: run.baseline?.kind === 'random-init' });
}

/**
 * An evaluation's result on disk, when it was made with what the plan asks for: the options
 * given explicitly (the experiment's, the config file's) must be equal; defaults filled in from
 * the run (the image size) may differ. With `randomInit`, the random-init result of that name.
 */
export async function readEvaluation(runDir: string, plan: PlannedEvaluation, { randomInit = false } = {}): Promise<EvalRecord | undefined> {
  const path = evalResultPath(runDir, plan, { randomInit });
  if (!existsSync(path)) return undefined;
  const record = await readJson<EvalRecord>(path, 'evaluation result');
  const same = Object.entries(plan.requested).every(([k, v]) => stableStringify(record.options?.[k]) === stableStringify(v));
  return same && Boolean(record.randomInit) === randomInit ? record : undefined;
}

/**
 * Reads a run's status and its evaluations (only a completed run's count). A baseline has
 * nothing to train: it is `completed` once started (its baseline.json written), `not run` before.
 */
export async function readRunRecord(run: PlannedRun): Promise<RunRecord> {
  const evaluations: Record<string, EvalRecord> = {};
  const readAll = async (randomInit: boolean): Promise<void> => {
    for (const plan of run.evaluations) {
      const record = await readEvaluation(run.runDir, plan, { randomInit });
      if (record) evaluations[plan.name] = record;
    }
  };
  if (run.baseline) {
    await readAll(true);
    const started = existsSync(join(run.runDir, BASELINE_FILE)) || Object.keys(evaluations).length > 0;
    return { run, state: started ? 'completed' : 'not run', evaluations };
  }
  const status = await readRunStatus(run.runDir);
  if (status?.state === 'completed') await readAll(false);
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

import { join } from 'node:path';
import {
  BASELINE_FILE,
  evaluateConfig,
  evaluateRun,
  prepareRun,
  pretrain,
  writeJsonAtomic,
  type EvalResult,
  type PlannedBaseline,
  type PlannedEvaluation,
  type ProgressEvent,
  type PretrainResult,
  type Registry,
  type RunConfig,
} from '@sempair/core';
import { describeError } from '../errors.js';

/**
 * What is left to do for one run of a preset: its pre-training (unless it finished earlier),
 * then the evaluations not done yet. Plain JSON, so a child process can be handed it.
 */
export interface RunWork {
  /** Run id within the experiment (also the run directory's name). */
  id: string;
  label: string;
  runDir: string;
  config: RunConfig;
  /** Pre-train (or resume) before evaluating; false when pre-training finished earlier, or for a baseline. */
  pretrain: boolean;
  /** Continue the run in runDir from its newest checkpoint. */
  resume: boolean;
  evaluations: PlannedEvaluation[];
  /** A baseline: nothing is trained; the evaluations run on `config`'s backbone as initialised (eval/<name>-random.json). */
  baseline?: PlannedBaseline;
}

/** Task names of the events: `pretrain`, `eval:<evaluation name>`. */
export const PRETRAIN_TASK = 'pretrain';
export const evalTask = (name: string): string => `eval:${name}`;

/**
 * What running a RunWork reports, in order: progress and messages of a task, then the task's
 * end (`pretrain`, `evaluation` or `error`). After an `error`, or a pre-training that did not
 * complete, nothing else runs. A child process writes these as JSON lines, then `result`.
 */
export type RunEvent =
  | ({ type: 'progress'; task: string } & ProgressEvent)
  | { type: 'message'; task: string; message: string }
  | { type: 'pretrain'; task: string; result: PretrainResult }
  /** `evaluator` is the evaluation's name (its result file), the evaluator id unless the experiment names it. */
  | { type: 'evaluation'; task: string; evaluator: string; result: EvalResult }
  | { type: 'error'; task: string; message: string };

export interface ExecuteOptions {
  /** Write an error's stack trace on stderr (--debug). */
  debug?: boolean;
}

/**
 * Runs a RunWork in this process: pre-training (the signal aborts it with a checkpoint), then,
 * if it completed, each evaluation. Errors never escape: a failing task ends in an `error`
 * event with the one line a user would see, and the tasks after it do not run.
 */
export async function executeRun(
  work: RunWork,
  registry: Registry,
  signal: AbortSignal,
  emit: (event: RunEvent) => void,
  options: ExecuteOptions = {},
): Promise<void> {
  const fail = (task: string, error: unknown): void => {
    if (options.debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    emit({ type: 'error', task, message: describeError(error, 'reproduce').line });
  };
  if (work.pretrain) {
    const task = PRETRAIN_TASK;
    try {
      const prepared = await prepareRun(work.config, registry);
      const progress = (event: ProgressEvent): void => emit({ type: 'progress', task, ...event });
      const result = await pretrain(work.config, registry, { runDir: work.runDir, resume: work.resume, progress, signal }, prepared);
      emit({ type: 'pretrain', task, result });
      if (result.status !== 'completed') return;
    } catch (error) {
      fail(task, error);
      return;
    }
  }
  const baseline = work.baseline;
  if (baseline) {
    try {
      await writeBaselineFile(work, baseline);
    } catch (error) {
      fail(work.evaluations[0] ? evalTask(work.evaluations[0].name) : PRETRAIN_TASK, error);
      return;
    }
  }
  // Evaluations are short and not interruptible: once started, a run's evaluations finish.
  for (const plan of work.evaluations) {
    const task = evalTask(plan.name);
    try {
      const progress = (event: ProgressEvent): void => emit({ type: 'progress', task, ...event });
      const evaluation = { runDir: work.runDir, evaluator: plan.evaluator, name: plan.name, options: plan.options, progress };
      const result = baseline ? await evaluateConfig(registry, work.config, { ...evaluation, randomInit: true }) : await evaluateRun(registry, evaluation);
      emit({ type: 'evaluation', task, evaluator: plan.name, result });
    } catch (error) {
      fail(task, error);
      return;
    }
  }
}

/** A baseline's directory says what it is: the backbone evaluated untrained, and the runs it stands beside. */
async function writeBaselineFile(work: RunWork, baseline: PlannedBaseline): Promise<void> {
  const { config } = work;
  await writeJsonAtomic(join(work.runDir, BASELINE_FILE), {
    kind: baseline.kind,
    id: work.id,
    label: work.label,
    description: 'every evaluation of the experiment on this backbone as initialised from the seed, nothing trained; results in eval/<evaluation>-random.json',
    backbone: config.backbone,
    backboneOptions: config.backboneOptions,
    imageSize: config.augmentation.size,
    seed: config.seed,
    runs: baseline.runs,
    writtenAt: new Date().toISOString(),
  });
}

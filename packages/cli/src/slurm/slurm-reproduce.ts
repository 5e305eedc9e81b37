import { readRunRecord, type ExpandedExperiment, type PlannedRun, type ProgressListener } from '@sempair/core';
import { runTaskGroups, type OutputMode, type TaskControl, type WorkGroup } from '../progress/tasks.js';
import { runCommand } from '../reproduce/run-command.js';
import { RUN_ID } from './batch-script.js';
import type { Scheduler } from './scheduler.js';
import { runOnSlurm, type SlurmRunResult, type SlurmUpdate } from './slurm-executor.js';
import type { SlurmSettings } from './slurm-settings.js';

export interface SlurmReproduceOptions {
  settings: SlurmSettings;
  scheduler: Scheduler;
  /** The node binary and CLI entry script a task runs (`node bin/run.js`). */
  node: string;
  entry: string;
  mode: OutputMode;
  emit: (value: unknown) => void;
  signal: AbortSignal;
}

export interface SlurmReproduceResult {
  /** Runs finished before this invocation (never submitted). */
  skipped: string[];
  results: SlurmRunResult[];
}

/** One line for a task's state: "PENDING (Resources)", "RUNNING on node01". */
function stateLine(update: Extract<SlurmUpdate, { type: 'state' }>): string {
  return `${update.task} ${update.state}${update.reason ? ` (${update.reason})` : ''}${update.node && update.state === 'RUNNING' ? ` on ${update.node}` : ''}`;
}

/**
 * `sempair reproduce … --executor slurm`: the runs of the experiment not finished yet go to
 * Slurm as one job array (a baseline is a task like a run: its --run command evaluates it),
 * each task running this CLI's own one-run command
 * (`sempair reproduce <experiment> … --run <id> --json`, see run-command.ts); the task list
 * shows each task's scheduler state and the progress it writes to its output file.
 */
export async function reproduceOnSlurm(experiment: ExpandedExperiment, options: SlurmReproduceOptions): Promise<SlurmReproduceResult> {
  const todo: PlannedRun[] = [];
  const skipped: string[] = [];
  for (const run of experiment.runs) {
    // Finished as a local run would judge it: completed, every evaluation with the options asked for.
    const record = await readRunRecord(run);
    if (record.state === 'completed' && run.evaluations.every((e) => record.evaluations[e.name])) skipped.push(run.id);
    else todo.push(run);
  }
  const followers = new Map<string, { progress?: ProgressListener; control?: TaskControl; ended?: SlurmRunResult; wake?: () => void; backlog: SlurmUpdate[] }>();
  for (const run of todo) followers.set(run.id, { backlog: [] });
  const show = (id: string, update: SlurmUpdate): void => {
    const f = followers.get(id)!;
    if (!f.control) {
      f.backlog.push(update);
      return;
    }
    switch (update.type) {
      case 'submitted':
        f.control.say(update.reattached ? `following ${update.task}, submitted earlier` : `submitted as ${update.task}${update.attempt > 1 ? ` (try ${update.attempt})` : ''}`);
        break;
      case 'state':
        f.control.say(stateLine(update));
        break;
      case 'progress':
        f.progress?.({ ...update.event, message: update.task });
        break;
      case 'resubmit':
        f.control.say(`${update.task} ended: ${update.why}; submitting it again`);
        break;
      case 'end':
        f.ended = update.result;
        f.wake?.();
    }
  };
  const onUpdate = (id: string, update: SlurmUpdate): void => {
    const { type: kind, ...rest } = update;
    options.emit({ type: 'slurm', kind, run: id, ...rest });
    show(id, update);
  };
  const groups: WorkGroup[] = experiment.runs.map((run) => ({
    title: run.label,
    tasks: [
      {
        id: `slurm:${run.id}`,
        title: `${run.id} on Slurm`,
        skip: () => (skipped.includes(run.id) ? `${run.label}: finished earlier` : undefined),
        run: async (progress, control) => {
          const f = followers.get(run.id)!;
          f.progress = progress;
          f.control = control;
          for (const update of f.backlog.splice(0)) show(run.id, update);
          while (!f.ended) await new Promise<void>((wake) => (f.wake = wake));
          const { outcome, why, tasks } = f.ended;
          if (outcome === 'finished') control.setTitle(`${run.label} — finished (${tasks.join(', ')})`);
          else {
            control.setTitle(`${run.label} — ${outcome}: ${why}`);
            throw new Error(why);
          }
        },
      },
    ],
  }));
  const command = [options.node, options.entry, ...runCommand(experiment.invocation, RUN_ID), '--json'];
  const following = runOnSlurm({
    experiment: { id: experiment.id, dir: experiment.dir },
    runs: todo.map((run) => ({ id: run.id, label: run.label, runDir: run.runDir, evaluations: run.evaluations, ...(run.baseline ? { baseline: run.baseline } : {}) })),
    settings: options.settings,
    scheduler: options.scheduler,
    command,
    signal: options.signal,
    onUpdate,
  });
  // A failed sbatch ends every task with its line.
  const results = await Promise.all([
    following.catch((error: unknown) => {
      for (const run of todo) {
        const f = followers.get(run.id)!;
        f.ended ??= { id: run.id, outcome: 'failed', why: error instanceof Error ? error.message : String(error), tasks: [] };
        f.wake?.();
      }
      throw error;
    }),
    runTaskGroups(groups, { mode: options.mode, emit: options.emit, concurrency: Math.max(1, experiment.runs.length) }),
  ]);
  return { skipped, results: results[0] };
}

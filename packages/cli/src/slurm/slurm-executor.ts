import { existsSync } from 'node:fs';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { plannedResultPath, readRunStatus, type PlannedBaseline, type ProgressEvent } from '@sempair/core';
import { batchScript } from './batch-script.js';
import type { Scheduler } from './scheduler.js';
import { resourceOptions, type SlurmSettings } from './slurm-settings.js';
import { latestTask, readSubmissions, SLURM_DIR, taskOutput, writeSubmissions, type SubmissionLog } from './submissions.js';
import { isLive, judgeEnd, type RunOnDisk, type TaskRecord } from './task-state.js';

/** A run to do, as the executor needs it (a PlannedRun of the expanded experiment fits). */
export interface SlurmRun {
  id: string;
  label: string;
  runDir: string;
  /** Result files `eval/<name>.json` the run must have to be finished (`eval/<name>-random.json` for a baseline). */
  evaluations: ReadonlyArray<{ name: string }>;
  /** A baseline: nothing to train, finished when its evaluations are written. */
  baseline?: PlannedBaseline;
}

/** What the executor tells about one run as it goes (for the task list). */
export type SlurmUpdate =
  | { type: 'submitted'; task: string; attempt: number; reattached: boolean }
  | { type: 'state'; task: string; state: string; reason?: string; node?: string }
  | { type: 'progress'; task: string; event: ProgressEvent }
  | { type: 'resubmit'; task: string; why: string }
  | { type: 'end'; result: SlurmRunResult };

export interface SlurmRunResult {
  id: string;
  /** finished: trained and evaluated; failed: will not be retried now; detached: still on the cluster, no longer followed. */
  outcome: 'finished' | 'failed' | 'detached';
  /** Why it failed, or which task it was left running as. */
  why?: string;
  /** Every array task that ran it in this invocation, oldest first (`12_3`). */
  tasks: string[];
}

export interface SlurmJobOptions {
  /** Experiment id (job name) and directory (runs, and `slurm/` for scripts, logs, jobs.json). */
  experiment: { id: string; dir: string };
  /** Runs with work left (finished runs are never submitted). */
  runs: readonly SlurmRun[];
  settings: SlurmSettings;
  scheduler: Scheduler;
  /** One task's command with `RUN_ID` for the run id (see batch-script.ts). */
  command: readonly string[];
  /** Aborting stops following: the tasks stay on the cluster and the next invocation follows them again. */
  signal: AbortSignal;
  onUpdate?: (runId: string, update: SlurmUpdate) => void;
  /** For tests: how to wait between polls. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** A task the scheduler does not report is judged only after this many polls (sacct lags behind squeue). */
const UNSEEN_POLLS = 3;
const STDERR_TAIL = 16384;

interface Tracked {
  run: SlurmRun;
  task: string;
  /** Tasks submitted for it in this invocation (a re-attached one counts). */
  attempts: number;
  tasks: string[];
  lastState?: string;
  unseen: number;
  offset: number;
  pending: string;
  /** The last `error` line the task printed (the run's own one-line reason). */
  reported?: string;
}

function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted) return done();
    const timer = setTimeout(finish, ms);
    function finish(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    }
    signal.addEventListener('abort', finish, { once: true });
  });
}

/** What the run directory says: finished (completed and every evaluation written), its state. */
async function runOnDisk(run: SlurmRun): Promise<RunOnDisk> {
  const evaluated = run.evaluations.every((e) => existsSync(plannedResultPath(run, e)));
  if (run.baseline) return { finished: evaluated };
  const status = await readRunStatus(run.runDir).catch(() => null);
  return { finished: status?.state === 'completed' && evaluated, state: status?.state, step: status?.step, message: status?.message };
}

async function readFrom(path: string, offset: number, limit = Infinity): Promise<{ text: string; offset: number }> {
  if (!existsSync(path)) return { text: '', offset };
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const start = Math.max(offset, size - limit);
    if (size <= start) return { text: '', offset: size };
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    return { text: buffer.toString('utf8'), offset: size };
  } finally {
    await handle.close();
  }
}

/** The last line of a task's stderr that says something (an `Error: …` line first). */
async function lastError(path: string): Promise<string | undefined> {
  const { text } = await readFrom(path, 0, STDERR_TAIL);
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('sempair: run '));
  return (lines.findLast((l) => l.startsWith('Error:')) ?? lines.at(-1))?.replace(/^Error:\s*/, '');
}

/**
 * Runs an experiment's runs as a Slurm job array and follows it to the end: one array task
 * per run (`sbatch --array`), states from squeue and sacct (or scontrol), progress from the
 * JSON lines each task writes to its output file, results from the shared run directories.
 * A task that ended for the machine's reasons (see judgeEnd) is submitted again, with the
 * others of that poll in one new array, at most `settings.resubmits` times per run; it resumes
 * from the run's newest checkpoint. Tasks of an earlier invocation still queued or running
 * are followed, not submitted twice.
 */
export async function runOnSlurm(options: SlurmJobOptions): Promise<SlurmRunResult[]> {
  const { experiment, settings, scheduler, signal } = options;
  const sleep = options.sleep ?? sleepFor;
  const tell = (id: string, update: SlurmUpdate): void => options.onUpdate?.(id, update);
  const slurmDir = join(experiment.dir, SLURM_DIR);
  await mkdir(slurmDir, { recursive: true });
  const log: SubmissionLog = await readSubmissions(experiment.dir);
  const results = new Map<string, SlurmRunResult>();
  const active = new Map<string, Tracked>();

  const finish = (t: Tracked, outcome: SlurmRunResult['outcome'], why?: string): void => {
    const result: SlurmRunResult = { id: t.run.id, outcome, why, tasks: t.tasks };
    results.set(t.run.id, result);
    active.delete(t.run.id);
    tell(t.run.id, { type: 'end', result });
  };

  async function submit(runs: SlurmRun[], attempts: Map<string, number>): Promise<void> {
    const n = log.submissions.length + 1;
    const script = join(slurmDir, `submit-${n}.sh`);
    const sbatch = [
      `--job-name=${settings.jobName ?? `sempair-${experiment.id}`}`,
      `--array=0-${runs.length - 1}${settings.maxParallel ? `%${settings.maxParallel}` : ''}`,
      `--output=${join(slurmDir, '%A_%a.out')}`,
      `--error=${join(slurmDir, '%A_%a.err')}`,
      `--chdir=${process.cwd()}`,
      ...resourceOptions(settings),
    ];
    await writeFile(script, batchScript({ runs: runs.map((r) => r.id), command: options.command, setup: settings.setup, options: sbatch }), { mode: 0o755 });
    const jobId = await scheduler.submit(script, sbatch);
    log.submissions.push({ jobId, runs: runs.map((r) => r.id), script, submittedAt: new Date().toISOString() });
    await writeSubmissions(experiment.dir, log);
    runs.forEach((run, i) => {
      const task = `${jobId}_${i}`;
      const attempt = (attempts.get(run.id) ?? 0) + 1;
      const before = active.get(run.id);
      active.set(run.id, { run, task, attempts: attempt, tasks: [...(before?.tasks ?? []), task], unseen: 0, offset: 0, pending: '' });
      tell(run.id, { type: 'submitted', task, attempt, reattached: false });
    });
  }

  /** New JSON lines of a task's stdout: progress goes to the display, an error line is kept. */
  async function readOutput(t: Tracked): Promise<void> {
    const { text, offset } = await readFrom(taskOutput(experiment.dir, t.task).stdout, t.offset);
    t.offset = offset;
    const lines = (t.pending + text).split('\n');
    t.pending = lines.pop() ?? '';
    for (const line of lines) {
      let value: { type?: unknown; step?: unknown; steps?: unknown; message?: unknown } | null;
      try {
        value = JSON.parse(line) as typeof value;
      } catch {
        continue; // not a JSON line (a library writing on stdout)
      }
      if (value?.type === 'progress' && typeof value.step === 'number' && typeof value.steps === 'number') {
        const { type: _type, task: _task, ...event } = value as Record<string, unknown>;
        tell(t.run.id, { type: 'progress', task: t.task, event: { phase: 'pretrain', ...event } as ProgressEvent });
      } else if (value?.type === 'error' && typeof value.message === 'string') t.reported = value.message;
    }
  }

  // Tasks an earlier invocation submitted that are still queued or running are followed.
  const earlier = new Map(options.runs.map((run) => [run.id, latestTask(log, run.id)] as const).filter((e): e is [string, string] => e[1] !== undefined));
  const earlierJobs = [...new Set([...earlier.values()].map((task) => task.split('_')[0]!))];
  const known = new Map((await scheduler.tasks(earlierJobs)).map((r) => [r.task, r]));
  const fresh: SlurmRun[] = [];
  for (const run of options.runs) {
    const task = earlier.get(run.id);
    const record = task ? known.get(task) : undefined;
    if (task && record && isLive(record)) {
      active.set(run.id, { run, task, attempts: 1, tasks: [task], unseen: 0, offset: 0, pending: '' });
      tell(run.id, { type: 'submitted', task, attempt: 1, reattached: true });
    } else fresh.push(run);
  }
  if (fresh.length && !signal.aborted) await submit(fresh, new Map());

  while (active.size && !signal.aborted) {
    await sleep(settings.pollSeconds * 1000, signal);
    if (signal.aborted) break;
    const jobs = [...new Set([...active.values()].map((t) => t.task.split('_')[0]!))];
    const records = new Map<string, TaskRecord>((await scheduler.tasks(jobs)).map((r) => [r.task, r]));
    const again: SlurmRun[] = [];
    const attempts = new Map<string, number>();
    for (const t of [...active.values()]) {
      await readOutput(t);
      const record = records.get(t.task);
      if (record && isLive(record)) {
        t.unseen = 0;
        const shown = `${record.state}|${record.reason ?? ''}|${record.node ?? ''}`;
        if (shown !== t.lastState) {
          t.lastState = shown;
          tell(t.run.id, { type: 'state', task: t.task, state: record.state, reason: record.reason, node: record.node });
        }
        continue;
      }
      if (!record && ++t.unseen < UNSEEN_POLLS) continue;
      const disk = await runOnDisk(t.run);
      const verdict = judgeEnd(record, disk);
      if (record) tell(t.run.id, { type: 'state', task: t.task, state: record.state, reason: record.reason, node: record.node });
      if (verdict.kind === 'finished') finish(t, 'finished');
      else if (verdict.kind === 'failed') {
        const own = t.reported ?? (await lastError(taskOutput(experiment.dir, t.task).stderr));
        finish(t, 'failed', `task ${t.task}: ${verdict.why}${own && !verdict.why.includes(own) ? ` — ${own}` : ''}`);
      } else if (t.attempts > settings.resubmits) {
        finish(t, 'failed', `task ${t.task}: ${verdict.why}; gave up after ${t.attempts} task${t.attempts === 1 ? '' : 's'} (slurm.resubmits is ${settings.resubmits})`);
      } else {
        tell(t.run.id, { type: 'resubmit', task: t.task, why: verdict.why });
        again.push(t.run);
        attempts.set(t.run.id, t.attempts);
      }
    }
    if (again.length) await submit(again, attempts);
  }
  for (const t of [...active.values()]) {
    finish(t, 'detached', `still on the cluster as task ${t.task}: run the same command again to follow it (or scancel ${t.task.split('_')[0]})`);
  }
  return options.runs.map((run) => results.get(run.id)!);
}

import { execFile } from 'node:child_process';
import { UserError } from '@sempair/core';
import type { TaskRecord } from './task-state.js';

/**
 * What the Slurm executor asks of a scheduler. The real one runs sbatch, squeue, sacct and
 * scontrol; tests pass a fake.
 */
export interface Scheduler {
  /** Submits a batch script with these sbatch options; resolves with the job id. */
  submit(scriptPath: string, options: readonly string[]): Promise<string>;
  /**
   * Every known task of these array jobs: live ones from the queue, ended ones from the
   * accounting database (sacct) or, without one, from the controller's memory (scontrol).
   * A task missing here is unknown to the scheduler.
   */
  tasks(jobIds: readonly string[]): Promise<TaskRecord[]>;
  /** Where ended tasks' states come from: "sacct" or "scontrol" (known after the first call). */
  readonly accounting?: string;
}

/** Runs a command; resolves with its output and exit code (never rejects on a non-zero exit). */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

export const systemRunner: CommandRunner = (command, args) =>
  new Promise((done, fail) => {
    execFile(command, [...args], { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        fail(new UserError(`${command} not found: Slurm's commands are not on the PATH of this machine`, 'run sempair where sbatch works (a login node), or use --executor local'));
        return;
      }
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });

const SQUEUE_FORMAT = '%F|%K|%T|%r|%N';

/** `squeue --array --noheader -o '%F|%K|%T|%r|%N'` lines → records (pending ranges are one line per task with --array). */
export function parseSqueue(stdout: string): TaskRecord[] {
  const out: TaskRecord[] = [];
  for (const line of stdout.split('\n')) {
    const [job, index, state, reason, node] = line.trim().split('|');
    if (!job || !state || index === undefined || !/^\d+$/.test(index)) continue;
    out.push({ task: `${job}_${index}`, state, reason: reason && reason !== 'None' ? reason : undefined, node: node || undefined });
  }
  return out;
}

/** `sacct -n -P -X -o JobID,State,ExitCode,NodeList,Reason` lines → records ("CANCELLED by 0" → CANCELLED). */
export function parseSacct(stdout: string): TaskRecord[] {
  const out: TaskRecord[] = [];
  for (const line of stdout.split('\n')) {
    const [task, state, exitCode, node, reason] = line.trim().split('|');
    if (!task || !state || !/^\d+_\d+$/.test(task)) continue;
    out.push({ task, state: state.split(' ')[0]!, exitCode, node: node && node !== 'None assigned' ? node : undefined, reason: reason && reason !== 'None' ? reason : undefined });
  }
  return out;
}

/** `scontrol -o show job <id>` (one line per task, `Key=Value` words) → records. */
export function parseScontrol(stdout: string): TaskRecord[] {
  const out: TaskRecord[] = [];
  for (const line of stdout.split('\n')) {
    const fields = new Map<string, string>();
    for (const word of line.trim().split(/\s+/)) {
      const eq = word.indexOf('=');
      if (eq > 0 && !fields.has(word.slice(0, eq))) fields.set(word.slice(0, eq), word.slice(eq + 1));
    }
    const job = fields.get('ArrayJobId');
    const index = fields.get('ArrayTaskId');
    const state = fields.get('JobState');
    // A pending remainder of an array shows as ArrayTaskId=3-5: those are in squeue.
    if (!job || !index || !state || !/^\d+$/.test(index)) continue;
    const reason = fields.get('Reason');
    const node = fields.get('NodeList');
    out.push({ task: `${job}_${index}`, state, exitCode: fields.get('ExitCode'), reason: reason && reason !== 'None' ? reason : undefined, node: node && node !== '(null)' ? node : undefined });
  }
  return out;
}

/** A job id as sbatch --parsable prints it: `12` or `12;cluster`. */
export function parseSbatch(stdout: string): string | undefined {
  const id = stdout.trim().split('\n').at(-1)?.split(';')[0]?.trim();
  return id && /^\d+$/.test(id) ? id : undefined;
}

function oneLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).at(-1) ?? '';
}

/**
 * The real scheduler, through Slurm's commands. sacct is tried first for ended tasks (it
 * remembers them for good); where there is no accounting storage (a cluster without slurmdbd,
 * such as scripts/slurm-local.sh's) it answers nothing useful, and `scontrol show job` is used
 * instead: it knows ended tasks for MinJobAge seconds (default 300) after their end, after
 * which the run directory is the only witness.
 */
export function slurmScheduler(run: CommandRunner = systemRunner): Scheduler {
  let accounting: 'sacct' | 'scontrol' | undefined;
  const scheduler: Scheduler = {
    get accounting() {
      return accounting;
    },
    async submit(scriptPath, options) {
      const result = await run('sbatch', ['--parsable', ...options, scriptPath]);
      const id = result.code === 0 ? parseSbatch(result.stdout) : undefined;
      if (!id) throw new UserError(`sbatch refused the job: ${oneLine(result.stderr) || oneLine(result.stdout) || `exit code ${result.code}`}`, `check the slurm settings (partition, account, resources) and the script ${scriptPath}`);
      return id;
    },
    async tasks(jobIds) {
      if (jobIds.length === 0) return [];
      const ids = jobIds.join(',');
      const queue = await run('squeue', ['--array', '--noheader', `--jobs=${ids}`, '-o', SQUEUE_FORMAT]);
      // squeue exits 1 with "Invalid job id" once none of the jobs is in the queue any more.
      if (queue.code !== 0 && !/invalid job id/i.test(queue.stderr)) throw new Error(`squeue failed: ${oneLine(queue.stderr) || `exit code ${queue.code}`}`);
      const live = queue.code === 0 ? parseSqueue(queue.stdout) : [];
      const byTask = new Map(live.map((r) => [r.task, r]));
      const ended = await endedTasks(jobIds);
      for (const record of ended) if (!byTask.has(record.task)) byTask.set(record.task, record);
      return [...byTask.values()];
    },
  };

  async function endedTasks(jobIds: readonly string[]): Promise<TaskRecord[]> {
    if (accounting !== 'scontrol') {
      const sacct = await run('sacct', ['--noheader', '--parsable2', '--allocations', `--jobs=${jobIds.join(',')}`, '--format=JobID,State,ExitCode,NodeList,Reason']);
      if (sacct.code === 0) {
        accounting = 'sacct';
        return parseSacct(sacct.stdout);
      }
      // "Slurm accounting storage is disabled", or no slurmdbd to talk to.
      if (accounting === 'sacct') throw new Error(`sacct failed: ${oneLine(sacct.stderr) || `exit code ${sacct.code}`}`);
      accounting = 'scontrol';
    }
    const out: TaskRecord[] = [];
    for (const id of jobIds) {
      const shown = await run('scontrol', ['-o', 'show', 'job', id]);
      if (shown.code === 0) out.push(...parseScontrol(shown.stdout));
      else if (!/invalid job id/i.test(shown.stderr)) throw new Error(`scontrol failed: ${oneLine(shown.stderr) || `exit code ${shown.code}`}`);
    }
    return out;
  }
  return scheduler;
}

import { constants } from 'node:os';

/** One array task as the scheduler reports it. */
export interface TaskRecord {
  /** `<array job id>_<task index>`, e.g. `12_3`. */
  task: string;
  /** Slurm's state name: PENDING, RUNNING, COMPLETED, FAILED, NODE_FAIL, … */
  state: string;
  /** Why it waits or ended (squeue's %r / scontrol's Reason), when Slurm says. */
  reason?: string;
  /** `<exit code>:<signal>` as sacct and scontrol show it (0:9 = killed by SIGKILL). */
  exitCode?: string;
  node?: string;
}

/** States in which a task is still the scheduler's business (waiting, running, finishing). */
const LIVE = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'STOPPED', 'RESV_DEL_HOLD']);

export function isLive(record: TaskRecord): boolean {
  return LIVE.has(record.state);
}

/**
 * Ends that are the machine's fault, not the run's: the run resumes from its newest
 * checkpoint when submitted again. TIMEOUT is here because a run checkpoints when Slurm
 * signals it before the limit, so another task continues it; DEADLINE is not (it will not
 * start again in time), nor OUT_OF_MEMORY (the same request fails the same way).
 */
export const INFRASTRUCTURE_STATES: Record<string, string> = {
  NODE_FAIL: 'its node failed',
  BOOT_FAIL: 'its node failed to boot',
  PREEMPTED: 'it was preempted',
  TIMEOUT: 'it reached its time limit',
};

/** What the run directory says after the task (read by the executor). */
export interface RunOnDisk {
  /** Pre-trained and every evaluation written. */
  finished: boolean;
  /** status.json state, if any. */
  state?: string;
  step?: number;
  message?: string;
}

export type TaskVerdict =
  | { kind: 'finished' }
  /** Submit the run again (it resumes); `why` says what happened. */
  | { kind: 'resubmit'; why: string }
  /** The run's own failure, or a person's decision: not submitted again. */
  | { kind: 'failed'; why: string };

function signalName(signal: number): string {
  const name = Object.entries(constants.signals).find(([, n]) => n === signal)?.[0];
  return name ? `signal ${signal} (${name})` : `signal ${signal}`;
}

/**
 * Why a task that is no longer live ended, and what to do about it. `record` is the
 * scheduler's last word (undefined when it no longer knows the task); `run` what the run
 * directory says. The run's own files come first: a finished run is finished whatever the
 * scheduler says.
 *
 * Submitted again: NODE_FAIL, BOOT_FAIL, PREEMPTED, TIMEOUT; a task killed by a signal
 * (FAILED with exit code n:s, s > 0: the kernel's OOM killer on a node without memory
 * cgroups, a node going down, an operator); a run stopped by the scheduler's warning signal
 * (status `aborted`); a task the scheduler lost track of. Not submitted again: a run that
 * failed by itself (a non-zero exit, a NaN loss, a user error), OUT_OF_MEMORY (ask for more
 * memory), CANCELLED (someone ran scancel), DEADLINE.
 */
export function judgeEnd(record: TaskRecord | undefined, run: RunOnDisk): TaskVerdict {
  if (run.finished) return { kind: 'finished' };
  const at = run.step !== undefined ? ` at step ${run.step}` : '';
  if (!record) {
    return run.state === 'aborted'
      ? { kind: 'resubmit', why: `it was stopped${at} and the scheduler has no record of it` }
      : { kind: 'resubmit', why: 'the scheduler lost track of it' };
  }
  const infrastructure = INFRASTRUCTURE_STATES[record.state];
  if (infrastructure) return { kind: 'resubmit', why: `${infrastructure}${at}` };
  if (record.state === 'OUT_OF_MEMORY') {
    return { kind: 'failed', why: `it ran out of memory${at} — ask for more (slurm.memory / --slurm-memory)` };
  }
  if (record.state === 'CANCELLED') return { kind: 'failed', why: `it was cancelled${at} (scancel)` };
  if (record.state === 'DEADLINE') return { kind: 'failed', why: 'it missed its deadline' };
  const [code, signal] = (record.exitCode ?? '0:0').split(':').map(Number);
  if (signal) return { kind: 'resubmit', why: `it was killed by ${signalName(signal)}${at}` };
  // The run saved a checkpoint on a signal it did not ask for: the time-limit warning, or a
  // preemption's grace period.
  if (run.state === 'aborted') return { kind: 'resubmit', why: `it was stopped by a signal${at}` };
  if (run.state === 'stopped-nan') return { kind: 'failed', why: run.message ?? 'the loss became NaN' };
  const detail = run.message ? `: ${run.message}` : '';
  if (code) return { kind: 'failed', why: `its process exited with code ${code}${detail}` };
  return { kind: 'failed', why: `it ended (${record.state}) without finishing the run${detail}` };
}

import type { ProgressListener } from '@sempair/core';
import type { TaskControl } from '../progress/tasks.js';
import type { RunOutcome } from './comparison.js';
import { PRETRAIN_TASK, type RunEvent, type RunWork } from './run-work.js';

/**
 * Runs a RunWork somewhere (in this process, or in a child process) and reports its events.
 * Resolves when the work is over; rejects when it could not finish (a child that crashed or was
 * killed) with the one line that says why.
 */
export type Executor = (work: RunWork, emit: (event: RunEvent) => void, signal: AbortSignal) => Promise<void>;

/** The event that ends a task. */
export type TaskEnd = Extract<RunEvent, { type: 'pretrain' | 'evaluation' }>;

/**
 * One run's work as the parent sees it: started by its first task that is not skipped, its
 * events recorded into the run's outcome as they arrive (so results survive a failure later in
 * the run), and handed to the task (pre-training, each evaluation) shown for them.
 */
export class RunSession {
  private started = false;
  private ended = false;
  /** Why the executor could not finish, if it could not. */
  private failure: string | undefined;
  private readonly queue: RunEvent[] = [];
  private wake: (() => void) | undefined;
  private finished: Promise<void> | undefined;
  /** Pre-training reported its end (a result or an error). */
  private pretrainEnded = false;

  constructor(
    readonly work: RunWork,
    private readonly outcome: RunOutcome,
    private readonly execute: Executor,
    private readonly signal: AbortSignal,
  ) {}

  /** Whether the work has been handed to its executor (it then runs every task of it). */
  get isStarted(): boolean {
    return this.started;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.finished = this.execute(this.work, (event) => this.receive(event), this.signal).then(
      () => this.end(undefined),
      (error: unknown) => this.end(error instanceof Error ? error.message : String(error)),
    );
  }

  /** Resolves when the executor is done (at once when it never started). */
  done(): Promise<void> {
    return this.finished ?? Promise.resolve();
  }

  /**
   * Starts the work if needed and follows `task`: its progress and messages go to the task's
   * display; resolves with the event that ends it; throws the line that says why it failed.
   */
  async follow(task: string, progress: ProgressListener, control: TaskControl): Promise<TaskEnd> {
    this.start();
    for (;;) {
      let event: RunEvent | undefined;
      while ((event = this.queue.shift())) {
        if (event.task !== task) continue;
        switch (event.type) {
          case 'progress': {
            const { type: _type, task: _task, ...progressEvent } = event;
            progress(progressEvent);
            break;
          }
          case 'message':
            control.say(event.message);
            break;
          case 'error':
            throw new Error(event.message);
          default:
            return event;
        }
      }
      if (this.ended) throw new Error(this.failure ?? `the run ended before ${task} finished`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private receive(event: RunEvent): void {
    const o = this.outcome;
    if (event.task === PRETRAIN_TASK && (event.type === 'pretrain' || event.type === 'error')) this.pretrainEnded = true;
    if (event.type === 'pretrain') {
      const { result } = event;
      // NaN is null once it has been through JSON.
      Object.assign(o, { status: result.status, steps: result.steps, finalLoss: result.finalLoss ?? NaN });
      if (result.status === 'stopped-nan') o.error = result.message ?? 'the loss became NaN';
      if (result.status === 'failed-backend') o.error = result.message ?? 'the backend failed';
    } else if (event.type === 'evaluation') {
      o.evaluations[event.evaluator] = event.result;
    } else if (event.type === 'error') {
      o.error = event.message;
      if (event.task === PRETRAIN_TASK) o.status = 'failed';
    }
    this.queue.push(event);
    this.notify();
  }

  private end(failure: string | undefined): void {
    this.ended = true;
    if (failure !== undefined) {
      this.failure = failure;
      this.outcome.error ??= failure;
      // Pre-training that never reported its end did not finish.
      if (this.work.pretrain && !this.pretrainEnded) this.outcome.status = 'failed';
    }
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

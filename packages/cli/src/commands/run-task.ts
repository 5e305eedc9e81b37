import { resolve } from 'node:path';
import { Args } from '@oclif/core';
import { readJson, UserError } from '@sempair/core';
import { SempairCommand } from '../base-command.js';
import { throttleProgress, type ThrottledListener } from '../progress/throttle.js';
import { RUN_TASK_COMMAND, TASK_FORMAT, type TaskFile, type TaskResult } from '../reproduce/child-runner.js';
import { executeRun, type RunEvent } from '../reproduce/run-work.js';
import { abortOnInterrupt } from '../signals.js';

const PROGRESS_INTERVAL_MS = 100;

/**
 * `sempair run-task <taskFile>` (hidden): what a child process of `sempair reproduce --jobs n`
 * runs. Pre-trains one run and evaluates it as the task file says, writing one JSON object per
 * line on stdout (the events of reproduce/run-work.ts, then `{"type":"result"}`). SIGINT, or
 * the parent going away, saves a checkpoint and ends the run as `aborted`.
 */
export default class RunTask extends SempairCommand<typeof RunTask> {
  static override hidden = true;
  static override summary = `Internal: one run of sempair reproduce, in a child process (JSON lines on stdout).`;
  static override args = {
    taskFile: Args.string({ description: 'Task file written by sempair reproduce.', required: true }),
  };

  async run(): Promise<void> {
    // The parent reads our stdout; if it is gone, there is no one to tell (the run still saves).
    process.stdout.on('error', () => {});
    // Built through the sempair:register hook like any command's, so plugins work here too.
    const registry = await this.registry();
    const path = resolve(this.args.taskFile);
    const task = await readJson<TaskFile>(path, 'run task');
    if (task?.format !== TASK_FORMAT || task.version !== 1 || !task.work) {
      throw new UserError(`${path} is not a task file of this sempair version`, `it is written by sempair reproduce; do not call ${RUN_TASK_COMMAND} by hand`);
    }

    const write = (value: RunEvent | TaskResult): void => {
      process.stdout.write(`${JSON.stringify(value)}\n`);
    };
    const throttles = new Map<string, ThrottledListener>();
    const flush = (): void => throttles.forEach((t) => t.flush());
    const emit = (event: RunEvent): void => {
      if (event.type !== 'progress') {
        flush();
        write(event);
        return;
      }
      let throttled = throttles.get(event.task);
      if (!throttled) {
        const task = event.task;
        throttled = throttleProgress((e) => write({ type: 'progress', task, ...e }), PROGRESS_INTERVAL_MS);
        throttles.set(task, throttled);
      }
      const { type: _type, task: _task, ...progress } = event;
      throttled(progress);
    };

    const interrupt = abortOnInterrupt(() => {});
    // The parent holds the other end of the IPC channel: when it closes, the parent is gone.
    const onDisconnect = (): void => interrupt.interrupt();
    process.on('disconnect', onDisconnect);
    process.channel?.unref();
    try {
      await executeRun(task.work, registry, interrupt.signal, emit, { debug: this.flags.debug });
      flush();
      write({ type: 'result', id: task.work.id });
    } finally {
      interrupt.dispose();
      process.off('disconnect', onDisconnect);
    }
  }
}

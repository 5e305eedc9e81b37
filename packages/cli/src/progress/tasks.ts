import type { ProgressListener } from '@sempair/core';
import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import { formatProgress } from './format.js';
import { throttleProgress } from './throttle.js';

/** How long work is shown: a live task list, nothing but the result, or JSON lines. */
export type OutputMode = 'human' | 'quiet' | 'json';

export interface TaskControl {
  /** Replaces the task's title (e.g. to add the result when done). */
  setTitle(title: string): void;
  /** Shows a line under the task (human mode), or a JSON line of kind "message" (json mode). */
  say(text: string): void;
}

/** One step of a command's work, shown as one line of the task list. */
export interface WorkTask {
  /** Short stable name for JSON lines (e.g. "pretrain", "eval:linear"); the title otherwise. */
  id?: string;
  title: string;
  /** A reason to skip the task (shown as "skipped: …"), or undefined to run it. */
  skip?: () => string | undefined | Promise<string | undefined>;
  run(progress: ProgressListener, control: TaskControl): Promise<void>;
}

export interface TaskRunnerOptions {
  mode: OutputMode;
  /** Writes one JSON line (json mode). */
  emit: (value: unknown) => void;
}

const TTY_INTERVAL_MS = 100;
const PLAIN_INTERVAL_MS = 5000;
const JSON_INTERVAL_MS = 500;

/**
 * Runs tasks one after another. Human mode draws them with listr2 on stderr (stdout stays free
 * for results), a live line per task from its ProgressEvents; without a terminal (CI, pipes)
 * it prints a plain line every few seconds instead. Quiet mode prints nothing; json mode writes
 * `{"type":"progress", "task", ...event}` lines.
 */
export async function runTasks(tasks: WorkTask[], options: TaskRunnerOptions): Promise<void> {
  if (options.mode !== 'human') {
    for (const task of tasks) {
      const reason = await task.skip?.();
      if (reason) {
        options.emit({ type: 'skip', task: task.id ?? task.title, reason });
        continue;
      }
      if (options.mode === 'quiet') {
        await task.run(() => {}, { setTitle: () => {}, say: () => {} });
        continue;
      }
      const name = task.id ?? task.title;
      const progress = throttleProgress((event) => options.emit({ type: 'progress', task: name, ...event }), JSON_INTERVAL_MS);
      await task.run(progress, {
        setTitle: () => {},
        say: (text) => options.emit({ type: 'message', task: name, message: text }),
      });
      progress.flush();
    }
    return;
  }

  const interactive = Boolean(process.stderr.isTTY) && !process.env.CI;
  // Draw on stderr: stdout carries the tables and summaries a user may redirect to a file.
  const logger = new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) });
  const listTasks: ListrTask[] = tasks.map((work) => ({
    title: work.title,
    skip: async () => (await work.skip?.()) ?? false,
    task: async (_ctx, task) => {
      const progress = throttleProgress((event) => {
        task.output = formatProgress(event);
      }, interactive ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS, { epochs: interactive });
      await work.run(progress, {
        setTitle: (title) => (task.title = title),
        say: (text) => (task.output = text),
      });
      progress.flush();
    },
    rendererOptions: { outputBar: 1, persistentOutput: true },
  }));
  const list = new Listr(listTasks, {
    concurrent: false,
    exitOnError: true,
    // The command handles Ctrl-C itself (save and stop); listr2's handler would exit at once.
    registerSignalListeners: false,
    renderer: 'default',
    rendererOptions: { logger, collapseSubtasks: false, showErrorMessage: false },
    fallbackRenderer: 'simple',
    fallbackRendererOptions: { logger },
    fallbackRendererCondition: !interactive,
  });
  await list.run();
}

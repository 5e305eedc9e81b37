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
    for (const task of tasks) await runPlain(task, options);
    return;
  }
  await runListr(tasks.map((work) => listrTask(work, isInteractive())), { concurrent: false, exitOnError: true });
}

/** Tasks run one after another within a group; groups side by side. */
export interface WorkGroup {
  title: string;
  tasks: WorkTask[];
}

export interface GroupRunnerOptions extends TaskRunnerOptions {
  /** Groups running at the same time (1: the tasks of every group in one list, in order). */
  concurrency: number;
}

/**
 * Runs groups of tasks, up to `concurrency` groups at once, each group's tasks in order. A
 * task that fails does not stop anything else: it shows as failed (human mode) or as a
 * `{"type":"error"}` line (json mode); the tasks after it decide through their skip() whether
 * to run, so the caller records failures where its skip() can see them. Human mode draws one
 * list as runTasks does with concurrency 1, and a list per group under the group's title
 * otherwise.
 */
export async function runTaskGroups(groups: WorkGroup[], options: GroupRunnerOptions): Promise<void> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  if (options.mode !== 'human') {
    await pool(groups, concurrency, async (group) => {
      for (const task of group.tasks) {
        try {
          await runPlain(task, options);
        } catch (error) {
          options.emit({ type: 'error', task: task.id ?? task.title, message: error instanceof Error ? error.message : String(error) });
        }
      }
    });
    return;
  }
  const interactive = isInteractive();
  if (concurrency === 1) {
    await runListr(groups.flatMap((g) => g.tasks.map((work) => listrTask(work, interactive))), { concurrent: false, exitOnError: false });
    return;
  }
  const listTasks: ListrTask[] = groups.map((group) => ({
    title: group.title,
    // A failed task fails its group (and ends it); the other groups go on.
    task: (_ctx, task) =>
      // Plain logs interleave the groups' lines: each output line names its group.
      task.newListr(group.tasks.map((work) => listrTask(work, interactive, interactive ? undefined : group.title)), { concurrent: false, exitOnError: true }),
  }));
  await runListr(listTasks, { concurrent: concurrency, exitOnError: false });
}

/** Runs `run` on every item, at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function isInteractive(): boolean {
  return Boolean(process.stderr.isTTY) && !process.env.CI;
}

/** One task in quiet or json mode. */
async function runPlain(task: WorkTask, options: TaskRunnerOptions): Promise<void> {
  const reason = await task.skip?.();
  if (reason) {
    options.emit({ type: 'skip', task: task.id ?? task.title, reason });
    return;
  }
  if (options.mode === 'quiet') {
    await task.run(() => {}, { setTitle: () => {}, say: () => {} });
    return;
  }
  const name = task.id ?? task.title;
  const progress = throttleProgress((event) => options.emit({ type: 'progress', task: name, ...event }), JSON_INTERVAL_MS);
  try {
    await task.run(progress, {
      setTitle: () => {},
      say: (text) => options.emit({ type: 'message', task: name, message: text }),
    });
  } finally {
    progress.flush();
  }
}

function listrTask(work: WorkTask, interactive: boolean, prefix?: string): ListrTask {
  const show = (text: string): string => (prefix ? `${prefix}: ${text}` : text);
  return {
    title: work.title,
    skip: async () => (await work.skip?.()) ?? false,
    task: async (_ctx, task) => {
      const progress = throttleProgress((event) => {
        task.output = show(formatProgress(event));
      }, interactive ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS, { epochs: interactive });
      try {
        await work.run(progress, {
          setTitle: (title) => (task.title = title),
          say: (text) => (task.output = show(text)),
        });
      } finally {
        progress.flush();
      }
    },
    rendererOptions: { outputBar: 1, persistentOutput: true },
  };
}

/** Draws tasks with listr2 on stderr (stdout carries the tables and summaries a user may redirect to a file). */
async function runListr(listTasks: ListrTask[], options: { concurrent: boolean | number; exitOnError: boolean }): Promise<void> {
  const interactive = isInteractive();
  const logger = new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) });
  const list = new Listr(listTasks, {
    ...options,
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

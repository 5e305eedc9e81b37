import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { writeJsonAtomic } from '@sempair/core';
import type { Executor } from './run-session.js';
import type { RunEvent, RunWork } from './run-work.js';

/** The hidden command a child process runs (`sempair run-task <taskFile>`). */
export const RUN_TASK_COMMAND = 'run-task';
export const TASK_FORMAT = 'sempair-run-task';

/** What the parent writes for a child: the work of one run, fully resolved. */
export interface TaskFile {
  format: typeof TASK_FORMAT;
  version: 1;
  work: RunWork;
}

/** What a child writes last on stdout: the work is over (its outcome is in the events before). */
export interface TaskResult {
  type: 'result';
  id: string;
}

/**
 * The CLI's own entry script (`bin/run.js` of the package that holds the commands), from the
 * oclif config's root and the package.json `bin` field.
 */
export function cliEntry(root: string, pjson: { bin?: unknown; oclif?: { bin?: string } }): string {
  const bin = pjson.bin;
  const named = typeof bin === 'string' ? bin : bin && typeof bin === 'object' ? (bin as Record<string, string>)[pjson.oclif?.bin ?? ''] ?? Object.values(bin)[0] : undefined;
  const candidates = [named, './bin/run.js'].filter((p): p is string => typeof p === 'string').map((p) => resolve(root, p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`cannot find the sempair entry script under ${root} (looked for ${candidates.join(', ')})`);
  return found;
}

export interface ChildExecutorOptions {
  /** The CLI's entry script (see cliEntry). */
  entry: string;
  /** Folder for the task files handed to children (the experiment's directory). */
  taskDir: string;
  /** Children print stack traces and their stderr reaches ours. */
  debug?: boolean;
  /** Told once a child runs, with its process id. */
  onSpawn?: (work: RunWork, pid: number) => void;
}

const STDERR_KEPT = 8192;

function isRunEvent(value: unknown): value is RunEvent {
  const v = value as { type?: unknown; task?: unknown } | null;
  return (
    typeof v === 'object' && v !== null && typeof v.task === 'string' &&
    (v.type === 'progress' || v.type === 'message' || v.type === 'pretrain' || v.type === 'evaluation' || v.type === 'error')
  );
}

/** Why a child ended without finishing, in one line: its last stderr line, else how it ended. */
function crashLine(stderr: string, code: number | null, signal: NodeJS.Signals | null): string {
  const last = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1)
    ?.replace(/^Error:\s*/, '');
  const how = signal ? `its process was killed (${signal})` : `its process exited with code ${code}`;
  return last ? `${how}: ${last}` : how;
}

/** Node flags worth passing on (memory limits, loaders), but not a debugger port. */
function inheritedExecArgv(): string[] {
  return process.execArgv.filter((a) => !/^--(inspect|debug)/.test(a));
}

/**
 * Runs each RunWork in a child process of this same CLI (`node bin/run.js run-task <file>`):
 * the task file is written next to the run directories and removed afterwards; the child's
 * JSON lines become events. Aborting the signal forwards SIGINT to the child, which saves a
 * checkpoint and ends; children live in their own process group, so a terminal's Ctrl-C
 * reaches them only through here, once. If this process goes away, a child sees its IPC
 * channel close and stops the same way.
 */
export function childExecutor(options: ChildExecutorOptions): Executor {
  return async (work, emit, signal) => {
    await mkdir(options.taskDir, { recursive: true });
    const taskFile = join(options.taskDir, `.run-task-${work.id}.json`);
    const task: TaskFile = { format: TASK_FORMAT, version: 1, work };
    await writeJsonAtomic(taskFile, task);
    try {
      await runChild(options, work, taskFile, emit, signal);
    } finally {
      await rm(taskFile, { force: true });
    }
  };
}

function runChild(options: ChildExecutorOptions, work: RunWork, taskFile: string, emit: (e: RunEvent) => void, signal: AbortSignal): Promise<void> {
  return new Promise<void>((done, fail) => {
    const args = [...inheritedExecArgv(), options.entry, RUN_TASK_COMMAND, taskFile, ...(options.debug ? ['--debug'] : [])];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Own process group: Ctrl-C in a terminal signals only the parent, which forwards it once.
      detached: process.platform !== 'win32',
    });
    const forward = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    };
    let finished = false;
    let stderr = '';
    const { stdout, stderr: errors } = child as unknown as { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream };
    errors.setEncoding('utf8');
    errors.on('data', (chunk: string) => {
      if (options.debug) process.stderr.write(chunk);
      stderr = (stderr + chunk).slice(-STDERR_KEPT);
    });
    createInterface({ input: stdout, crlfDelay: Infinity }).on('line', (line) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return; // not ours (a library printing on stdout)
      }
      if ((value as TaskResult | null)?.type === 'result') finished = true;
      else if (isRunEvent(value)) emit(value);
    });
    child.once('spawn', () => {
      if (child.pid !== undefined) options.onSpawn?.(work, child.pid);
      if (signal.aborted) forward();
      else signal.addEventListener('abort', forward, { once: true });
    });
    child.once('error', (error) => {
      signal.removeEventListener('abort', forward);
      fail(new Error(`could not start a process for run ${work.label}: ${error.message}`));
    });
    child.once('close', (code, killedBy) => {
      signal.removeEventListener('abort', forward);
      if (finished && code === 0) done();
      else fail(new Error(crashLine(stderr, code, killedBy)));
    });
  });
}

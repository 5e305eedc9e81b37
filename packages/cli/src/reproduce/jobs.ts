import { availableParallelism } from 'node:os';
import { initBackend, type BackendInfo } from '@sempair/core';

/** How many runs `sempair reproduce` trains at once, and why (saved in results.json). */
export interface JobsChoice {
  /** Runs trained at the same time; above 1 each runs in a child process. */
  jobs: number;
  /** --jobs as given, or null for the default. */
  requested: number | null;
  /** Runs with work left (pre-training or evaluations) in this invocation. */
  runs: number;
  /** os.availableParallelism() */
  cores: number;
  /** The backend the default was derived from, when it was (never initialised otherwise). */
  backend: { name: string; threads: number } | null;
  reason: string;
}

export interface ChooseJobsOptions {
  requested: number | undefined;
  /** Runs with work left. */
  runs: number;
  /** Backend preference of those runs' configs (auto, wasm, …). */
  backend: string;
  cores?: number;
  /** For tests; initBackend otherwise. */
  probe?: (preference: string) => Promise<Pick<BackendInfo, 'name' | 'threads'>>;
}

/**
 * --jobs n as given (at most one per run to do). Otherwise one per core when the backend
 * computes on a single thread (wasm under Node, cpu), as there is no other way to use the
 * cores, and 1 for the multi-threaded native backends (tensorflow, tensorflow-gpu), which use
 * them already. The backend is initialised here, in the parent, as the run would initialise it.
 */
export async function chooseJobs(options: ChooseJobsOptions): Promise<JobsChoice> {
  const cores = options.cores ?? availableParallelism();
  const runs = options.runs;
  const base = { requested: options.requested ?? null, runs, cores, backend: null };
  if (options.requested !== undefined) {
    const jobs = Math.max(1, Math.min(options.requested, runs));
    return { ...base, jobs, reason: `--jobs ${options.requested}${jobs < options.requested ? ` (${runs} run${runs === 1 ? '' : 's'} to do)` : ''}` };
  }
  if (runs <= 1) return { ...base, jobs: 1, reason: runs === 1 ? 'one run to do' : 'nothing to train' };
  const probe = options.probe ?? ((preference: string) => initBackend(preference as Parameters<typeof initBackend>[0]));
  const info = await probe(options.backend);
  const backend = { name: info.name, threads: info.threads };
  // Runs in parallel on one GPU would share its memory and its queue.
  if (info.name === 'webgpu') return { ...base, backend, jobs: 1, reason: 'backend webgpu computes on the GPU: one run at a time' };
  if (info.threads <= 1) {
    const jobs = Math.max(1, Math.min(runs, cores));
    return { ...base, backend, jobs, reason: `backend ${info.name} computes on one thread: one run per core (${cores} core${cores === 1 ? '' : 's'}, ${runs} runs)` };
  }
  return { ...base, backend, jobs: 1, reason: `backend ${info.name} computes on ${info.threads} threads itself: one run at a time` };
}

// Choosing and initialising the tfjs backend: initBackend / currentBackendInfo.
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// Training needs every kernel's gradient registered, whatever backend is chosen.
import '../nn/gradients.js';
import { UserError } from '../errors.js';
import { backendFailure, clearBackendFailure } from './backend-failure.js';
import type { BackendCandidate, BackendInfo } from './backend-info.js';
import { registerTransformKernels } from './transform-kernels.js';
import {
  AUTO_ORDER,
  parseBackendPreference,
  type BackendCandidateName,
  type BackendPreference,
} from './backend-preference.js';
import { backendVersions } from './backend-versions.js';
import { NATIVE_PACKAGES, probeNative } from './native-backends.js';
import { activateNativeCpu, deactivateNativeCpu, probeNativeCpu } from './native-cpu.js';
import { activateWasm, probeWasm } from './wasm-runtime.js';
import { activateWebgpu, activeWebgpuAdapter, releaseWebgpu } from './webgpu-runtime.js';

// The stock cpu Transform (rotation) transforms only the first image of a batch; wasm's
// mirrors wrongly in 'reflect' mode.
registerTransformKernels();

export interface InitBackendOptions {
  /** Threads for the native and wasm backends (default: all cores; Node caps wasm at 1, see wasm-runtime.ts). */
  threads?: number;
}

/** The tfjs backend name each preference ends up as. */
const TF_NAME: Record<BackendCandidateName, string> = {
  'tensorflow-gpu': 'tensorflow',
  webgpu: 'webgpu',
  tensorflow: 'tensorflow',
  native: 'cpu',
  wasm: 'wasm',
  cpu: 'cpu',
};

export const CPU_CANDIDATE: BackendCandidate = {
  name: 'cpu',
  available: true,
  detail: '@tensorflow/tfjs-backend-cpu (plain JavaScript, 1 thread; slowest, always available)',
};

let current: BackendInfo | undefined;
// initBackend calls run one after another, so concurrent callers share one initialisation.
let queue: Promise<unknown> = Promise.resolve();

/** A chosen backend, switched to and ready. */
interface Activated {
  candidate: BackendCandidate;
  threads: number;
}

/** `auto` is true when auto is choosing: then WebGPU declines a software adapter. */
async function activate(name: BackendCandidateName, options: InitBackendOptions, auto: boolean): Promise<Activated | BackendCandidate> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const candidate = await probeNative(name);
      if (!candidate.available) return candidate;
      if (!(await tf.setBackend('tensorflow'))) {
        return { ...candidate, available: false, detail: `${candidate.detail}: initialisation failed` };
      }
      await tf.ready();
      // libtensorflow sizes its own thread pools from the cores; tfjs-node exposes no knob.
      return { candidate, threads: availableParallelism() };
    }
    case 'webgpu': {
      const candidate = await activateWebgpu(auto);
      if (!candidate.available || (auto && candidate.autoSkip !== undefined)) return candidate;
      // The GPU computes; the JS thread only records and submits its work.
      return { candidate, threads: 1 };
    }
    case 'native': {
      const { threads, ...candidate } = await activateNativeCpu(options.threads);
      return candidate.available ? { candidate, threads } : candidate;
    }
    case 'wasm': {
      const { threads, ...candidate } = await activateWasm(options.threads);
      return candidate.available ? { candidate, threads } : candidate;
    }
    case 'cpu':
      // The plain JavaScript kernels: put back any native ones registered over them.
      deactivateNativeCpu();
      await tf.setBackend('cpu');
      await tf.ready();
      return { candidate: CPU_CANDIDATE, threads: 1 };
  }
}

function isActivated(result: Activated | BackendCandidate): result is Activated {
  return 'candidate' in result;
}

/** Fills in the candidates that were not tried, without loading anything. */
async function untried(name: BackendCandidateName, because: string): Promise<BackendCandidate> {
  if (name === 'cpu') return CPU_CANDIDATE;
  if (name === 'wasm') return probeWasm();
  if (name === 'native') return probeNativeCpu();
  // Loading Dawn costs an adapter enumeration; sempair doctor probes it.
  if (name === 'webgpu') return { name, available: false, detail: `not tried (${because}; Dawn is loaded only when needed)` };
  // Loading a native package switches tfjs to it, so it is only loaded when it is wanted.
  return { name, available: false, detail: `not tried (${because}; ${NATIVE_PACKAGES[name]} is loaded only when needed)` };
}

function unavailableError(candidate: BackendCandidate): UserError {
  return new UserError(
    `backend '${candidate.name}' is not available: ${candidate.detail}`,
    candidate.fix ?? 'choose the auto backend',
  );
}

async function choose(preference: BackendPreference, options: InitBackendOptions): Promise<BackendInfo> {
  const info = (chosen: BackendCandidateName, reason: string, threads: number, candidates: BackendCandidate[]): BackendInfo => {
    const name = tf.getBackend();
    const adapter = name === 'webgpu' ? activeWebgpuAdapter() : undefined;
    return { name, preference, chosen, reason, threads, candidates, versions: backendVersions(), ...(adapter ? { adapter } : {}) };
  };

  if (preference !== 'auto') {
    const result = await activate(preference, options, false);
    if (!isActivated(result)) throw unavailableError(result);
    const candidates = await Promise.all(
      AUTO_ORDER.map((name) => (name === preference ? result.candidate : untried(name, `${preference} was requested`))),
    );
    return info(preference, `requested explicitly: ${result.candidate.detail}`, result.threads, candidates);
  }

  const skipped: BackendCandidate[] = [];
  for (const name of AUTO_ORDER) {
    const result = await activate(name, options, true);
    if (!isActivated(result)) {
      skipped.push(result);
      continue;
    }
    const rest = await Promise.all(AUTO_ORDER.slice(skipped.length + 1).map((other) => untried(other, `${name} was available`)));
    const why = skipped.map((c) => `${c.name} skipped (${c.autoSkip ?? c.detail})`);
    const reason = [`auto chose ${name}, the fastest available: ${result.candidate.detail}`, ...why].join('; ');
    return info(name, reason, result.threads, [...skipped, result.candidate, ...rest]);
  }
  // Unreachable: cpu always activates.
  throw new Error('no tfjs backend could be initialised');
}

function validateOptions(options: InitBackendOptions): void {
  const { threads } = options;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new UserError(`threads must be a positive integer, got ${JSON.stringify(threads)}`, 'pass e.g. --threads 4');
  }
}

/** The cached answer when `preference` is already satisfied by the active backend. */
function cached(preference: BackendPreference): BackendInfo | undefined {
  const info = currentBackendInfo();
  if (info === undefined) return undefined;
  if (preference === info.preference) return info;
  // 'auto' keeps whatever initBackend already set up; an explicit name keeps a matching one
  // ('native' and 'cpu' share tfjs' cpu backend but not its kernels).
  if (preference === 'auto') return info;
  const sameKernels = (preference === 'native') === (info.chosen === 'native');
  return TF_NAME[preference] === info.name && sameKernels ? info : undefined;
}

/**
 * Chooses, initialises and switches to a tfjs backend. `auto` tries tensorflow-gpu, then
 * webgpu on a hardware adapter, then tensorflow (libtensorflow via tfjs-node), then native
 * (tfjs cpu + @sempair/backend-native's kernels), then wasm, then cpu, and reports why it chose.
 * An explicit preference that cannot be met throws a UserError naming the fix.
 * Idempotent: when the requested backend is already in use, returns the cached info.
 */
export function initBackend(preference: BackendPreference = 'auto', options: InitBackendOptions = {}): Promise<BackendInfo> {
  const run = queue.then(async () => {
    const wanted = parseBackendPreference(preference);
    validateOptions(options);
    // tfjs's console advice (e.g. the cpu backend's "install tfjs-node" banner) would break the
    // one-line output contract; `sempair doctor` says the same thing in its place.
    tf.env().set('PROD', true);
    // A backend that failed (a lost GPU device) is not reused: the next run starts afresh.
    if (backendFailure() !== undefined) {
      if (current?.name === 'webgpu') releaseWebgpu();
      current = undefined;
      clearBackendFailure();
    }
    const hit = cached(wanted);
    if (hit !== undefined) return hit;
    current = await choose(wanted, options);
    return current;
  });
  queue = run.catch(() => undefined);
  return run;
}

/** What initBackend chose, while that backend is still the active one; undefined otherwise. */
export function currentBackendInfo(): BackendInfo | undefined {
  if (current === undefined) return undefined;
  // Read the engine's field: tf.getBackend() would initialise a backend if none is set.
  return tf.engine().backendName === current.name ? current : undefined;
}

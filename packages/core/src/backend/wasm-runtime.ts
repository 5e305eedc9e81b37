// The WebAssembly backend (@tensorflow/tfjs-backend-wasm, XNNPACK kernels) under Node.
//
// How it picks a binary (tf-backend-wasm.node.js, 4.22): flag WASM_HAS_SIMD_SUPPORT
// (WebAssembly.validate on a SIMD snippet) and WASM_HAS_MULTITHREAD_SUPPORT choose between
// tfjs-backend-wasm.wasm, -simd.wasm and -threaded-simd.wasm. The multithread flag is
// hard-wired to false when IS_NODE (tfjs issue #3830), and forcing it on fails: the pthread
// workers are started from blob: URLs, which Node's worker_threads rejects
// (ERR_WORKER_PATH). So under Node the SIMD binary runs single-threaded, and
// setThreadsCount(n) is accepted but getThreadsCount() reports 1.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendCandidate } from './backend-info.js';
import { packageDir } from './package-version.js';
import { registerWasmConvKernels } from './register-wasm-conv-kernels.js';

export interface WasmFacts {
  /** WebAssembly SIMD is usable, so the SIMD binary is loaded. */
  simd: boolean;
  /** tfjs would load its threaded build (never under Node, see above). */
  multithreaded: boolean;
  /** The .wasm file the backend loads (or would load). */
  binary: string;
  /** Threads XNNPACK computes with; null until the backend is initialised. */
  threads: number | null;
  note: string;
}

const NODE_THREADS_NOTE =
  'tfjs-backend-wasm 4.22 disables its multithreaded build under Node, so XNNPACK runs on one thread';

/** dist/ of the installed wasm package, where the .wasm binaries live (no network needed). */
function wasmDistDir(): string | undefined {
  const dir = packageDir('@tensorflow/tfjs-backend-wasm');
  return dir === undefined ? undefined : `${dir}/dist/`;
}

export function wasmInitialised(): boolean {
  return 'wasm' in tf.engine().registry;
}

export async function wasmFacts(): Promise<WasmFacts> {
  const [simd, multithreaded] = await Promise.all([
    tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') as Promise<boolean>,
    tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') as Promise<boolean>,
  ]);
  const file = simd
    ? multithreaded
      ? 'tfjs-backend-wasm-threaded-simd.wasm'
      : 'tfjs-backend-wasm-simd.wasm'
    : 'tfjs-backend-wasm.wasm';
  return {
    simd,
    multithreaded,
    binary: `${wasmDistDir() ?? '(@tensorflow/tfjs-backend-wasm not found)/'}${file}`,
    threads: wasmInitialised() ? getThreadsCount() : null,
    note: multithreaded ? 'threaded build' : NODE_THREADS_NOTE,
  };
}

function describe(facts: WasmFacts): string {
  const threads = facts.threads ?? (facts.multithreaded ? availableParallelism() : 1);
  return `@tensorflow/tfjs-backend-wasm (XNNPACK, ${facts.simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'})`;
}

/** Whether the wasm backend can run here, without initialising it. */
export async function probeWasm(): Promise<BackendCandidate> {
  if (typeof WebAssembly !== 'object') {
    return { name: 'wasm', available: false, detail: 'this Node.js has no WebAssembly support', fix: 'use Node.js 20 or newer' };
  }
  const facts = await wasmFacts();
  if (!wasmInitialised() && !existsSync(facts.binary)) {
    return {
      name: 'wasm',
      available: false,
      detail: `the wasm binary is missing: ${facts.binary}`,
      fix: 'reinstall dependencies: pnpm install',
    };
  }
  return { name: 'wasm', available: true, detail: describe(facts) };
}

/**
 * Initialises the wasm backend from the local binaries and switches tfjs to it.
 * `threads` only matters before the first initialisation (and is capped at 1 under Node).
 */
export async function activateWasm(threads: number | undefined): Promise<BackendCandidate & { threads: number }> {
  const probe = await probeWasm();
  if (!probe.available) return { ...probe, threads: 0 };
  if (!wasmInitialised()) {
    const dir = wasmDistDir();
    if (dir !== undefined) setWasmPaths(dir);
    setThreadsCount(threads ?? availableParallelism());
  }
  // The emscripten runtime adds process-wide uncaughtException/unhandledRejection handlers
  // that rethrow, which makes Node print a 10 kB minified source line above every later
  // crash. Node already does the right thing without them, so drop whatever init added.
  const emitter: NodeJS.EventEmitter = process;
  const events = ['uncaughtException', 'unhandledRejection'];
  const before = new Set(events.flatMap((event) => emitter.listeners(event)));
  const ok = await tf.setBackend('wasm');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  if (!ok) {
    return {
      name: 'wasm',
      available: false,
      detail: 'the wasm backend failed to initialise (see the warning above)',
      fix: 'reinstall dependencies: pnpm install',
      threads: 0,
    };
  }
  await tf.ready();
  registerWasmConvKernels();
  const facts = await wasmFacts();
  return { name: 'wasm', available: true, detail: describe(facts), threads: facts.threads ?? 1 };
}

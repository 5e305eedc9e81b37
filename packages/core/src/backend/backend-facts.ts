// What `sempair doctor` prints about backends, gathered without switching backend.
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendCandidate, BackendInfo } from './backend-info.js';
import { backendVersions } from './backend-versions.js';
import { probeNative } from './native-backends.js';
import { probeNativeCpu } from './native-cpu.js';
import { CPU_CANDIDATE, currentBackendInfo } from './init-backend.js';
import { wasmConvKernelsRegistered } from './register-wasm-conv-kernels.js';
import { probeWasm, wasmFacts, type WasmFacts } from './wasm-runtime.js';
import { probeWebgpu } from './webgpu-runtime.js';

export interface BackendFacts {
  /** The tfjs backend in use now, or null when none has been initialised. */
  active: string | null;
  /** What initBackend chose, if it ran and its backend is still active. */
  info: BackendInfo | undefined;
  /** Every backend auto would consider, fastest first, and whether it can run here. */
  candidates: BackendCandidate[];
  versions: Record<string, string>;
  /** Threads the active backend computes with, when one is active. */
  threads: number | null;
  /** Logical CPU cores (os.availableParallelism()). */
  hardwareConcurrency: number;
  wasm: WasmFacts;
  /** Whether sempair's convolution-gradient kernels are the ones registered for wasm. */
  wasmConvKernels: boolean;
}

/**
 * Probes every backend for `sempair doctor`. Loading a native package makes tfjs switch to
 * it; when another backend was active, it is switched back, so the active one never changes.
 */
export async function backendFacts(): Promise<BackendFacts> {
  const engine = tf.engine();
  const active: string | null = engine.backendName ?? null;
  const gpu = await probeNative('tensorflow-gpu');
  const native = await probeNative('tensorflow');
  if (active !== null && engine.backendName !== active) await tf.setBackend(active);
  const candidates: BackendCandidate[] = [
    gpu,
    await probeWebgpu(),
    native,
    await probeNativeCpu(),
    await probeWasm(),
    CPU_CANDIDATE,
  ];
  const info = currentBackendInfo();
  const wasm = await wasmFacts();
  const threads = info?.threads ?? (active === 'wasm' ? wasm.threads : active === 'cpu' ? 1 : null);
  return {
    active: engine.backendName ?? null,
    info,
    candidates,
    versions: backendVersions(),
    threads,
    hardwareConcurrency: availableParallelism(),
    wasm,
    wasmConvKernels: wasmConvKernelsRegistered(),
  };
}

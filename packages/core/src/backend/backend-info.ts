// What initBackend reports: the backend in use, why, and what else was considered.
import type { BackendCandidateName, BackendPreference } from './backend-preference.js';
import type { WebgpuAdapterFacts } from './webgpu-adapter.js';

/** One backend initBackend could use, and whether it can on this machine. */
export interface BackendCandidate {
  name: BackendCandidateName;
  available: boolean;
  /** What was found: the package and version, or why it cannot be used. */
  detail: string;
  /** How to make an unavailable candidate available. */
  fix?: string;
  /** Why `auto` passes over this available candidate (WebGPU on a software adapter). */
  autoSkip?: string;
  /** The GPU adapter, for webgpu. */
  adapter?: WebgpuAdapterFacts;
}

export interface BackendInfo {
  /** The tfjs backend in use (tf.getBackend()): 'tensorflow', 'webgpu', 'wasm' or 'cpu'. */
  name: string;
  preference: BackendPreference;
  /** The candidate in use ('tensorflow-gpu' and 'tensorflow' both run as tfjs's 'tensorflow'). */
  chosen: BackendCandidateName;
  /** Why this backend was chosen, in one line. */
  reason: string;
  /** Threads the backend computes with. */
  threads: number;
  candidates: BackendCandidate[];
  /** tfjs-core, the backend packages and node. */
  versions: Record<string, string>;
  /** The GPU adapter computing, when the backend is webgpu. */
  adapter?: WebgpuAdapterFacts;
}

// What initBackend reports: the backend in use, why, and what else was considered.
import type { BackendCandidateName, BackendPreference } from './backend-preference.js';

/** One backend initBackend could use, and whether it can on this machine. */
export interface BackendCandidate {
  name: BackendCandidateName;
  available: boolean;
  /** What was found: the package and version, or why it cannot be used. */
  detail: string;
  /** How to make an unavailable candidate available. */
  fix?: string;
}

export interface BackendInfo {
  /** The tfjs backend in use (tf.getBackend()): 'tensorflow', 'wasm' or 'cpu'. */
  name: string;
  preference: BackendPreference;
  /** Why this backend was chosen, in one line. */
  reason: string;
  /** Threads the backend computes with. */
  threads: number;
  candidates: BackendCandidate[];
  /** tfjs-core, the backend packages and node. */
  versions: Record<string, string>;
}

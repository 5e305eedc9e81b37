// Which backend the user asked for (`--backend`, config `backend:`).
import { UserError } from '../errors.js';

export const BACKEND_PREFERENCES = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'native', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];

/** A concrete backend that `auto` may pick, fastest first. */
export type BackendCandidateName = Exclude<BackendPreference, 'auto'>;
/**
 * WebGPU counts only on a hardware adapter (see webgpu-runtime.ts). 'native' is tfjs' cpu backend
 * with @sempair/backend-native's kernels (see native-cpu.ts).
 */
export const AUTO_ORDER: readonly BackendCandidateName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'native', 'wasm', 'cpu'];

export function isBackendPreference(value: unknown): value is BackendPreference {
  return typeof value === 'string' && (BACKEND_PREFERENCES as readonly string[]).includes(value);
}

/** Validates a user-supplied backend name. */
export function parseBackendPreference(value: unknown): BackendPreference {
  if (isBackendPreference(value)) return value;
  throw new UserError(
    `unknown backend ${JSON.stringify(value)}`,
    `use one of ${BACKEND_PREFERENCES.join(', ')} (e.g. --backend auto)`,
  );
}

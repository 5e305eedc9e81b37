// The `native` backend: tfjs' cpu backend with sempair's native kernels registered over its own
// (@sempair/backend-native, an optional dependency of core: oneDNN convolutions and sgemm,
// OpenMP elementwise ops, reductions, pooling and a fused batch norm, one thread pool).
//
// The package compiles its addon at install time and never fails the installation, so it can
// be present but unbuilt; its addonStatus() says what is missing and the command that fixes it.
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { NativeKernels } from '@sempair/backend-native';
import type { BackendCandidate } from './backend-info.js';

export const NATIVE_CPU_PACKAGE = '@sempair/backend-native';
const LABEL = 'tfjs cpu + native kernels';
const INSTALL_FIX =
  `install ${NATIVE_CPU_PACKAGE} (it builds with a C++ compiler, python3 and oneDNN: ` +
  `sudo apt-get install -y build-essential python3 libdnnl-dev && pnpm add ${NATIVE_CPU_PACKAGE}) — or use the auto backend`;

type NativeModule = typeof import('@sempair/backend-native');

// One import per process; a failed import is remembered.
let loading: Promise<NativeModule | undefined> | undefined;
let registration: NativeKernels | undefined;

function loadPackage(): Promise<NativeModule | undefined> {
  loading ??= import(NATIVE_CPU_PACKAGE).then(
    (m: NativeModule) => m,
    () => undefined,
  );
  return loading;
}

/** Whether the native kernels can run here, without registering them. */
export async function probeNativeCpu(): Promise<BackendCandidate> {
  const pkg = await loadPackage();
  if (pkg === undefined) return { name: 'native', available: false, detail: `${NATIVE_CPU_PACKAGE} is not installed`, fix: INSTALL_FIX };
  const status = pkg.addonStatus();
  if (!status.available) return { name: 'native', available: false, detail: status.detail, fix: status.fix };
  return { name: 'native', available: true, detail: `${LABEL} (${registration?.description ?? status.detail})` };
}

/**
 * Switches tfjs to its cpu backend with the native kernels registered, sized to `threads`
 * (default: every core). Registered once per process; a different thread count re-registers.
 */
export async function activateNativeCpu(threads: number | undefined): Promise<BackendCandidate & { threads: number }> {
  const probe = await probeNativeCpu();
  if (!probe.available) return { ...probe, threads: 0 };
  const pkg = (await loadPackage())!;
  await tf.setBackend('cpu');
  await tf.ready();
  const wanted = threads ?? availableParallelism();
  if (registration !== undefined && registration.threads !== wanted) deactivateNativeCpu();
  registration ??= pkg.registerNativeKernels(tf, { threads: wanted });
  return { name: 'native', available: true, detail: `${LABEL} (${registration.description})`, threads: registration.threads };
}

/** Puts the stock cpu kernels back (for `--backend cpu` after `native`). */
export function deactivateNativeCpu(): void {
  registration?.unregister();
  registration = undefined;
}

/** Whether the native kernels are registered on tfjs' cpu backend now. */
export function nativeCpuActive(): boolean {
  return registration !== undefined;
}

/**
 * Calls that the native kernels handed to the stock cpu kernels since activation, by kernel
 * and reason (same arithmetic, just slower); empty when none or when native is not active.
 */
export function nativeCpuFallbacks(): Record<string, Record<string, number>> {
  if (registration === undefined) return {};
  const out: Record<string, Record<string, number>> = {};
  for (const [kernel, stats] of Object.entries(registration.stats())) {
    if (stats.fallback > 0) out[kernel] = stats.reasons;
  }
  return out;
}

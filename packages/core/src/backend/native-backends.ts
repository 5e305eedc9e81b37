// The libtensorflow backends (@tensorflow/tfjs-node and -node-gpu).
//
// They are optional dependencies: their install script downloads libtensorflow, which fails
// without internet, leaving the package present but its native binding unbuilt. Importing
// such a package throws, so the import itself is the probe. Both register the same backend
// name, 'tensorflow', and switch tfjs to it as a side effect of being imported.
import { relative } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendCandidate } from './backend-info.js';
import { packageDir, packageVersion } from './package-version.js';

export type NativeBackend = 'tensorflow-gpu' | 'tensorflow';

export const NATIVE_PACKAGES: Record<NativeBackend, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

const NATIVE_FIXES: Record<NativeBackend, string> = {
  'tensorflow-gpu':
    'on Linux x64 with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1, install it with internet access ' +
    '(its install downloads libtensorflow 2.9.1): pnpm add @tensorflow/tfjs-node-gpu — or use the auto backend',
  tensorflow:
    'install @tensorflow/tfjs-node on a machine with internet access (its install downloads ' +
    'libtensorflow 2.9.1): pnpm add @tensorflow/tfjs-node — or use the auto backend',
};

// One import attempt per package per process: a failed native import cannot succeed later.
const probes = new Map<NativeBackend, Promise<BackendCandidate>>();

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? '').trim();
}

/** Why importing the package failed, for people. */
function describeFailure(pkg: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const line = firstLine(error);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    if (line.includes(pkg)) return `${pkg} is not installed`;
  }
  const missingBinding = /tfjs_binding\.node\) can not be found at path: (\S+?)\.?$/.exec(line);
  if (missingBinding?.[1] !== undefined) {
    const dir = packageDir(pkg);
    const binding = dir === undefined ? missingBinding[1] : relative(dir, missingBinding[1]);
    return `${pkg} is installed but its native binding ${binding} was never built (the install could not download libtensorflow)`;
  }
  return `${pkg} failed to load: ${line}`;
}

async function importNative(name: NativeBackend): Promise<BackendCandidate> {
  const pkg = NATIVE_PACKAGES[name];
  const version = packageVersion(pkg);
  if (tf.findBackendFactory('tensorflow') != null) {
    // Already registered by the other native package (or by user code): importing a
    // second libtensorflow binding would re-register every kernel.
    return { name, available: true, detail: `the 'tensorflow' backend is already registered` };
  }
  try {
    await import(pkg);
  } catch (error) {
    // The package registers its kernels for 'tensorflow' before it finds its binding
    // missing; left behind, they make the next native import warn once per kernel (~170 lines).
    for (const kernel of tf.getKernelsForBackend('tensorflow')) tf.unregisterKernel(kernel.kernelName, 'tensorflow');
    return { name, available: false, detail: describeFailure(pkg, error), fix: NATIVE_FIXES[name] };
  }
  if (tf.findBackendFactory('tensorflow') == null) {
    // It loaded, but registered into a different copy of tfjs-core than ours.
    return {
      name,
      available: false,
      detail: `${pkg} loaded but registered its backend with another copy of @tensorflow/tfjs-core`,
      fix: `make sure ${pkg} and @sempair/core resolve the same @tensorflow/tfjs-core (pnpm dedupe)`,
    };
  }
  return { name, available: true, detail: `${pkg}${version ? ` ${version}` : ''} (libtensorflow)` };
}

/**
 * Tries to load a native backend (once per process). Loading one makes tfjs switch to it;
 * callers that only want to know restore their backend afterwards.
 */
export function probeNative(name: NativeBackend): Promise<BackendCandidate> {
  let probe = probes.get(name);
  if (probe === undefined) {
    probe = importNative(name);
    probes.set(name, probe);
  }
  return probe;
}

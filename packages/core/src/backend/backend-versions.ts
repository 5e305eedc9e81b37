// Versions worth printing next to a backend choice (`sempair doctor`, run configs).
import * as tf from '@tensorflow/tfjs-core';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { NATIVE_PACKAGES } from './native-backends.js';
import { NATIVE_CPU_PACKAGE } from './native-cpu.js';
import { packageVersion } from './package-version.js';
import { WEBGPU_PACKAGES } from './webgpu-runtime.js';

/** node, tfjs-core, the bundled backends, and the native ones when installed (loadable or not). */
export function backendVersions(): Record<string, string> {
  const versions: Record<string, string> = {
    node: process.versions.node,
    'tfjs-core': tf.version_core,
    'tfjs-backend-cpu': version_cpu,
    'tfjs-backend-wasm': version_wasm,
  };
  for (const pkg of [...Object.values(NATIVE_PACKAGES).reverse(), WEBGPU_PACKAGES.backend, WEBGPU_PACKAGES.dawn, NATIVE_CPU_PACKAGE]) {
    const version = packageVersion(pkg);
    if (version !== undefined) versions[pkg.replace('@tensorflow/', '')] = version;
  }
  return versions;
}

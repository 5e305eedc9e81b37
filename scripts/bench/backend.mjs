// Backend selection for benchmarks: core's initBackend when it exists, else a plain fallback.
import { BenchError } from './args.mjs';
import { requireFromCorePackage, tf } from './tf.mjs';

const CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** Selects the backend and returns { backend, note } for the report. */
export async function selectBackend(core, preference) {
  if (!CHOICES.includes(preference)) throw new BenchError(`--backend must be one of ${CHOICES.join(', ')}, got '${preference}'`);
  if (typeof core.initBackend === 'function') {
    const info = await core.initBackend(preference);
    return { backend: tf.getBackend(), note: describe(info) };
  }
  // Until initBackend lands: wasm lacks Conv2DBackpropFilter, so 'auto' means cpu here.
  const name = preference === 'wasm' ? 'wasm' : 'cpu';
  requireFromCorePackage(name === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : '@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend(name))) throw new BenchError(`backend ${name} failed to initialise`);
  await tf.ready();
  return { backend: tf.getBackend(), note: 'initBackend not available in @sempair/core yet; plain tfjs backend' };
}

function describe(info) {
  if (info == null) return undefined;
  if (typeof info === 'string') return info;
  return info.reason ?? info.why ?? info.message ?? undefined;
}

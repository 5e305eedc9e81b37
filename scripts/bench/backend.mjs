// Backend selection for benchmarks: core's initBackend when it exists, else a plain fallback.
import { BenchError } from './args.mjs';
import { requireFromCorePackage, tf } from './tf.mjs';

const FALLBACK_CHOICES = ['auto', 'wasm', 'cpu'];

/** Selects the backend and returns { backend, note, info } for the report (info: core's BackendInfo). */
export async function selectBackend(core, preference, threads) {
  const choices = core.BACKEND_PREFERENCES ?? FALLBACK_CHOICES;
  if (!choices.includes(preference)) throw new BenchError(`--backend must be one of ${choices.join(', ')}, got '${preference}'`);
  if (typeof core.initBackend === 'function') {
    let info;
    try {
      info = await core.initBackend(preference, threads === undefined ? {} : { threads });
    } catch (error) {
      if (core.isUserError?.(error)) throw new BenchError(error.line);
      throw error;
    }
    // 'native' runs as tfjs' 'cpu' backend: name the candidate when they differ.
    const backend = info.chosen && info.chosen !== info.name && info.chosen !== 'tensorflow-gpu' ? `${info.chosen} (tfjs ${info.name})` : tf.getBackend();
    return { backend, note: describe(info), info };
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

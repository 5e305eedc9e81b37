import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
// Registers tfjs's gradient functions (the tfjs-core Node bundle ships without them).
import '@tensorflow/tfjs';
import {
  AUTO_ORDER,
  backendFacts,
  currentBackendInfo,
  initBackend,
  registerWasmConvKernels,
  wasmConvKernelsRegistered,
} from '../src/backend/index.js';
import { isUserError } from '../src/errors.js';
import { Rng } from '../src/rng.js';

// Every test switches the global tfjs backend, so none may run concurrently.

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface Case {
  batch: number;
  size: [number, number];
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  pad: Pad;
}

function randoms(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** d/dx and d/dw of sum(conv2d(x, w) · r) for a fixed random r, on the active backend. */
function convGrads(c: Case, seed: number): { dx: Float32Array; dw: Float32Array } {
  const rng = new Rng(seed);
  const [h, w] = c.size;
  return tf.tidy(() => {
    const x = tf.tensor4d(randoms(rng, c.batch * h * w * c.inChannels), [c.batch, h, w, c.inChannels]);
    const filter = tf.tensor4d(randoms(rng, c.kernel ** 2 * c.inChannels * c.outChannels), [
      c.kernel,
      c.kernel,
      c.inChannels,
      c.outChannels,
    ]);
    const outShape = tf.conv2d(x, filter, c.stride, c.pad).shape;
    const r = tf.tensor(randoms(rng, outShape.reduce((a, b) => a * b, 1)), outShape);
    const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r));
    const [dx, dw] = tf.grads(loss)([x, filter]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

/** Largest difference, relative to the reference's magnitude when that exceeds 1. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}

const cases: Case[] = [];
for (const kernel of [1, 3, 7]) {
  for (const stride of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      cases.push({ batch: 2, size: [9, 9], inChannels: 3, outChannels: 4, kernel, stride, pad });
    }
  }
}
cases.push(
  { batch: 3, size: [7, 7], inChannels: 2, outChannels: 5, kernel: 3, stride: 2, pad: 'same' },
  { batch: 2, size: [8, 8], inChannels: 4, outChannels: 3, kernel: 3, stride: 2, pad: 'valid' },
  { batch: 2, size: [15, 15], inChannels: 3, outChannels: 2, kernel: 7, stride: 2, pad: 'same' },
  { batch: 2, size: [8, 9], inChannels: 5, outChannels: 6, kernel: 1, stride: 2, pad: 'valid' },
  { batch: 2, size: [9, 8], inChannels: 3, outChannels: 4, kernel: 3, stride: 1, pad: 1 },
  { batch: 2, size: [8, 8], inChannels: 3, outChannels: 4, kernel: 3, stride: 2, pad: 1 },
  // A ViT-style patch embedding: kernel = stride.
  { batch: 2, size: [8, 8], inChannels: 3, outChannels: 4, kernel: 4, stride: 4, pad: 'valid' },
  // Asymmetric explicit padding, and padding wider than the kernel.
  { batch: 2, size: [7, 9], inChannels: 2, outChannels: 3, kernel: 3, stride: 2, pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
  { batch: 2, size: [5, 5], inChannels: 2, outChannels: 2, kernel: 3, stride: 1, pad: [[0, 0], [4, 4], [5, 0], [0, 0]] },
);

// On this project's machines the libtensorflow packages are installed offline, so their native
// bindings are missing and auto falls back to the native CPU kernels where their addon built,
// else to wasm. Where tfjs-node does load, auto picks it.
test.serial('auto picks the fastest loadable backend and says why it skipped the others', async (t) => {
  const info = await initBackend('auto');
  t.is(info.preference, 'auto');
  t.is(tf.getBackend(), info.name);
  t.deepEqual(
    info.candidates.map((c) => c.name),
    [...AUTO_ORDER],
  );
  t.is(info.versions['tfjs-core'], tf.version_core);
  t.truthy(info.versions['tfjs-backend-wasm']);
  t.truthy(info.versions.node);
  const byName = (name: string) => info.candidates.find((c) => c.name === name)!;
  const [gpu, webgpu, native] = [byName('tensorflow-gpu'), byName('webgpu'), byName('tensorflow')];
  if (gpu.available || native.available) {
    t.is(info.name, 'tensorflow');
  } else if (webgpu.available && webgpu.autoSkip === undefined) {
    t.is(info.name, 'webgpu');
  } else if (byName('native').available) {
    // @sempair/backend-native's addon built: tfjs' cpu backend with the native kernels.
    t.is(info.chosen, 'native');
    t.is(info.name, 'cpu');
    t.regex(info.reason, /auto chose native, the fastest available: tfjs cpu \+ native kernels \(oneDNN /);
    t.regex(info.reason, /tensorflow skipped \(@tensorflow\/tfjs-node /);
  } else {
    t.is(info.name, 'wasm');
    t.is(info.threads, 1); // tfjs-backend-wasm runs single-threaded under Node
    t.regex(native.detail, /@tensorflow\/tfjs-node /);
    t.regex(native.fix ?? '', /pnpm add @tensorflow\/tfjs-node/);
    t.regex(info.reason, /auto chose wasm/);
    t.regex(info.reason, /native skipped \(/);
    t.truthy(byName('native').fix);
    t.regex(info.reason, /tensorflow-gpu skipped \(@tensorflow\/tfjs-node-gpu /);
    t.regex(info.reason, /tensorflow skipped \(@tensorflow\/tfjs-node /);
    // A software adapter (lavapipe in CI) is available to --backend webgpu but not to auto.
    if (webgpu.available) t.regex(info.reason, /webgpu skipped \(software: .*only on a hardware GPU/);
    t.true(wasmConvKernelsRegistered());
  }

  // Idempotent: same backend, same answer, no re-initialisation.
  t.is(await initBackend('auto'), info);
  t.is(await initBackend(), info);
  t.is(currentBackendInfo(), info);
});

test.serial('an explicit backend that cannot load is a UserError naming the fix', async (t) => {
  const active = tf.getBackend();
  t.true(isUserError(await t.throwsAsync(initBackend('tpu' as never))));
  t.true(isUserError(await t.throwsAsync(initBackend('cpu', { threads: 0 }))));
  const { candidates } = await backendFacts();
  const missing = candidates.find((c) => c.name === 'tensorflow' && !c.available) ?? candidates.find((c) => !c.available);
  if (missing === undefined) {
    t.log('every backend loads on this machine');
    return;
  }
  const error = await t.throwsAsync(initBackend(missing.name));
  t.true(isUserError(error));
  t.regex(error!.message, new RegExp(`backend '${missing.name}' is not available: @tensorflow/tfjs-node`));
  t.regex((error as { fix?: string }).fix ?? '', /pnpm add @tensorflow\/tfjs-node/);
  t.is(tf.getBackend(), active, 'a failed request leaves the active backend alone');
});

test.serial('backendFacts reports candidates and threads without switching backend', async (t) => {
  await initBackend('cpu');
  const facts = await backendFacts();
  t.is(facts.active, 'cpu');
  t.is(tf.getBackend(), 'cpu');
  t.is(facts.info?.name, 'cpu');
  t.is(facts.threads, 1);
  t.true(facts.hardwareConcurrency >= 1);
  t.false(facts.wasm.multithreaded);
  t.regex(facts.wasm.binary, /tfjs-backend-wasm(-simd)?\.wasm$/);
  t.deepEqual(
    facts.candidates.map((c) => c.name),
    [...AUTO_ORDER],
  );
  t.deepEqual(
    facts.candidates.filter((c) => c.name === 'wasm' || c.name === 'cpu').map((c) => [c.name, c.available]),
    [
      ['wasm', true],
      ['cpu', true],
    ],
  );
  for (const c of facts.candidates) t.true(c.available || c.fix !== undefined, `${c.name} says how to fix it`);
});

test.serial('wasm uses the replacement kernels and reports one thread under Node', async (t) => {
  const info = await initBackend('wasm');
  t.is(info.name, 'wasm');
  t.is(info.threads, 1);
  t.true(wasmConvKernelsRegistered());
  registerWasmConvKernels(); // idempotent
  t.true(wasmConvKernelsRegistered());
  t.is((await backendFacts()).wasm.threads, 1);
});

test.serial('wasm conv2d gradients match the cpu backend', async (t) => {
  for (const [i, c] of cases.entries()) {
    await initBackend('cpu');
    const expected = convGrads(c, i);
    await initBackend('wasm');
    const actual = convGrads(c, i);
    const label = JSON.stringify(c);
    t.true(relativeError(actual.dx, expected.dx) < 5e-5, `dx ${label}: ${relativeError(actual.dx, expected.dx)}`);
    t.true(relativeError(actual.dw, expected.dw) < 5e-5, `dw ${label}: ${relativeError(actual.dw, expected.dw)}`);
  }
});

test.serial('repeated wasm gradients leak neither tensors nor wasm buffers', async (t) => {
  await initBackend('wasm');
  const c: Case = { batch: 2, size: [9, 9], inChannels: 3, outChannels: 4, kernel: 3, stride: 2, pad: 'same' };
  convGrads(c, 0); // warm-up
  const tensors = tf.memory().numTensors;
  const buffers = tf.engine().backend.numDataIds();
  for (let i = 0; i < 5; i++) convGrads(c, i);
  t.is(tf.memory().numTensors, tensors);
  t.is(tf.engine().backend.numDataIds(), buffers);
});

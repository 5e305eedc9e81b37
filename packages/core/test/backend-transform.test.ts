import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, transformKernelsRegistered } from '../src/backend/index.js';
import { rotationMatrix } from '../src/augment/rotate.js';
import { Rng } from '../src/rng.js';

// tfjs 4.22's cpu Transform transforms only the first image of a batch, and wasm's mirrors
// negative coordinates wrongly in 'reflect' mode; core replaces both (backend/transform-kernels.ts).

type Fill = 'constant' | 'reflect' | 'nearest' | 'wrap';

async function transformOn(backend: 'cpu' | 'wasm', data: number[] | Float32Array, shape: [number, number, number, number], matrices: number[], fill: Fill, interpolation: 'bilinear' | 'nearest' = 'bilinear') {
  await initBackend(backend);
  const y = tf.tidy(() => tf.image.transform(tf.tensor4d(data, shape), tf.tensor2d(matrices, [matrices.length / 8, 8]), interpolation, fill, 0.25));
  const values = Array.from(await y.data());
  y.dispose();
  return values;
}

test.serial('Transform on cpu transforms every image of a batch and agrees with wasm', async (t) => {
  await initBackend('cpu');
  t.true(transformKernelsRegistered());
  const shape: [number, number, number, number] = [3, 7, 6, 2];
  const rng = new Rng(5);
  const data = Float32Array.from({ length: 3 * 7 * 6 * 2 }, () => rng.next());
  // No 90°: nearest interpolation would round exact .5 ties, where engines may differ.
  const matrices = [rotationMatrix(20, 7, 6), rotationMatrix(-35, 7, 6), rotationMatrix(50, 7, 6)].flat();
  for (const fill of ['constant', 'nearest', 'wrap'] as const) {
    for (const interpolation of ['bilinear', 'nearest'] as const) {
      const cpu = await transformOn('cpu', data, shape, matrices, fill, interpolation);
      const wasm = await transformOn('wasm', data, shape, matrices, fill, interpolation);
      const diff = cpu.reduce((m, v, i) => Math.max(m, Math.abs(v - wasm[i]!)), 0);
      t.true(diff < 1e-5, `${fill}/${interpolation}: cpu differs from wasm by ${diff}`);
    }
  }
  // The last image is rotated, not left as fill value (the stock cpu kernel's bug).
  const last = (await transformOn('cpu', data, shape, matrices, 'constant')).slice(2 * 7 * 6 * 2);
  t.true(last.filter((v) => v !== 0.25).length > 40);
  // One matrix for the whole batch; the identity leaves every image as it was.
  t.deepEqual(await transformOn('cpu', data, shape, [1, 0, 0, 0, 1, 0, 0, 0], 'constant'), Array.from(data));
});

test.serial("'reflect' mirrors at both edges ([dcba|abcd|dcba]) on cpu and wasm", async (t) => {
  // One row [0 1 2 3], shifted: output x reads input x + shift.
  const expected: Array<[number, number[]]> = [
    [-1, [0, 0, 1, 2]],
    [-2.5, [1.5, 0.5, 0, 0.5]],
    [2.5, [2.5, 3, 2.5, 1.5]],
    [5, [2, 1, 0, 0]],
  ];
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const [shift, row] of expected) {
      const out = await transformOn(backend, [0, 1, 2, 3, 3, 2, 1, 0], [2, 1, 4, 1], [1, 0, shift, 0, 1, 0, 0, 0], 'reflect');
      t.deepEqual(out.slice(0, 4), row, `${backend} shift ${shift}`);
      t.deepEqual(out.slice(4), [...row].map((v) => 3 - v), `${backend} shift ${shift}, second image`);
    }
  }
});

test.serial('the replacement Transform kernels leak nothing', async (t) => {
  for (const backend of ['cpu', 'wasm'] as const) {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    for (const fill of ['constant', 'reflect'] as const) {
      const y = tf.tidy(() => tf.image.transform(tf.ones([4, 5, 5, 3]) as tf.Tensor4D, tf.tensor2d(rotationMatrix(30, 5, 5), [1, 8]), 'bilinear', fill));
      y.dispose();
    }
    t.is(tf.memory().numTensors, before, backend);
    t.is(tf.engine().backend.numDataIds(), dataIds, backend);
  }
});

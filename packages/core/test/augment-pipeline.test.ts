// The batched augmenter as a whole: determinism, probabilities, shapes, ranges, channels, leaks.
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../src/rng.js';
import { isUserError } from '../src/errors.js';
import {
  augment,
  augmentViews,
  disableSteps,
  resolveAugmentation,
  symmetricPreset,
  asymmetricPreset,
  IMAGENET_MEAN,
  IMAGENET_STD,
  type ViewPipeline,
} from '../src/augment/index.js';

test.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

function images(b: number, side: number, seed = 1, channels = 3): tf.Tensor4D {
  const rng = new Rng(seed);
  return tf.tensor4d(Float32Array.from({ length: b * side * side * channels }, () => rng.next()), [b, side, side, channels]);
}

const same = (a: tf.Tensor, b: tf.Tensor): boolean => {
  const x = a.dataSync();
  const y = b.dataSync();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

/** Which images of a batch a step changed. */
function changed(before: tf.Tensor4D, after: tf.Tensor4D): boolean[] {
  const [b] = before.shape;
  const size = before.size / b;
  const x = before.dataSync();
  const y = after.dataSync();
  return Array.from({ length: b }, (_, n) => {
    for (let i = n * size; i < (n + 1) * size; i++) if (x[i] !== y[i]) return true;
    return false;
  });
}

const fraction = (flags: boolean[]): number => flags.filter(Boolean).length / flags.length;

test('the same seed gives identical views; another seed or the next call gives different ones', (t) => {
  const x = images(6, 40);
  const [view] = resolveAugmentation(asymmetricPreset, { size: 32 });
  const a = augment(x, view!, new Rng(7));
  const b = augment(x, view!, new Rng(7));
  const c = augment(x, view!, new Rng(8));
  t.true(same(a, b));
  t.false(same(a, c));
  const rng = new Rng(7);
  const [v1, v2] = augmentViews(x, [view!, view!], rng);
  t.true(same(v1!, a));
  t.false(same(v1!, v2!));
});

test('switching a step off leaves the other steps’ random draws unchanged', (t) => {
  const x = images(4, 24);
  const crop: ViewPipeline = { steps: [{ type: 'crop', size: 16, scale: [0.2, 1], ratio: [3 / 4, 4 / 3] }] };
  const withSolarize: ViewPipeline = { steps: [...crop.steps, { type: 'solarize', threshold: 0.5, p: 0 }, { type: 'flip', p: 0.5 }] };
  const withoutSolarize = disableSteps(withSolarize, ['solarize']);
  t.true(same(augment(x, withSolarize, new Rng(3)), augment(x, withoutSolarize, new Rng(3))));
  t.true(same(augment(x, crop, new Rng(3)), augment(x, { steps: [crop.steps[0]!, { type: 'grayscale', p: 0 }] }, new Rng(3))));
});

test('step probabilities are respected', (t) => {
  const x = images(400, 4, 2);
  const rate = (pipeline: ViewPipeline) => fraction(changed(x, augment(x, pipeline, new Rng(11))));
  const near = (value: number, p: number) => Math.abs(value - p) < 0.08;
  for (const p of [0, 0.5, 1]) t.true(near(rate({ steps: [{ type: 'flip', p }] }), p), `flip ${p}`);
  t.true(near(rate({ steps: [{ type: 'grayscale', p: 0.2 }] }), 0.2));
  t.true(near(rate({ steps: [{ type: 'solarize', threshold: 0, p: 0.2 }] }), 0.2));
  t.true(near(rate({ steps: [{ type: 'rotate', degrees: 30, p: 0.5 }] }), 0.5));
  t.true(near(rate({ steps: [{ type: 'blur', sigma: [0.5, 2], p: 0.1 }] }), 0.1));
  // jitter: images not jittered still pass the hue round trip (≈ identity), so measure the change size
  const y = augment(x, { steps: [{ type: 'jitter', brightness: 0.8, contrast: 0, saturation: 0, hue: 0, p: 0.8 }] }, new Rng(4));
  t.true(near(fraction(changed(x, y)), 0.8));
});

test('output shape and value range: [B, size, size, 3] in [0, 1] before normalise, ImageNet range after', (t) => {
  const x = images(8, 40);
  for (const view of resolveAugmentation(symmetricPreset, { size: 32 })) {
    const out = augment(x, view, new Rng(1));
    t.deepEqual(out.shape, [8, 32, 32, 3]);
    const v = out.dataSync();
    for (let i = 0; i < v.length; i++) {
      const c = i % 3;
      const low = (0 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]! - 1e-5;
      const high = (1 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]! + 1e-5;
      if (!(v[i]! >= low && v[i]! <= high)) return t.fail(`value ${v[i]} out of range at ${i}`);
    }
  }
  for (const view of resolveAugmentation(asymmetricPreset, { size: 24, disable: ['normalize'], overrides: { rotate: { p: 1 } } })) {
    const out = augment(x, view, new Rng(2));
    t.deepEqual(out.shape, [8, 24, 24, 3]);
    t.true(tf.min(out).dataSync()[0]! >= 0 && tf.max(out).dataSync()[0]! <= 1);
  }
});

test('one-channel images are replicated to RGB and stay gray through the colour steps', (t) => {
  const x = images(4, 16, 5, 1);
  const [view] = resolveAugmentation(symmetricPreset, { size: 16, disable: ['normalize'], overrides: { jitter: { p: 1 } } });
  const out = augment(x, view!, new Rng(1));
  t.deepEqual(out.shape, [4, 16, 16, 3]);
  const v = out.dataSync();
  let spread = 0;
  for (let p = 0; p < v.length; p += 3) spread = Math.max(spread, Math.abs(v[p]! - v[p + 1]!), Math.abs(v[p]! - v[p + 2]!));
  t.true(spread < 1e-5);
  t.true(same(augment(x, { steps: [] }, new Rng(1)), tf.tile(x, [1, 1, 1, 3])));
});

test('other channel counts and ranks are refused with a UserError', (t) => {
  const rgba = tf.zeros([1, 4, 4, 4]) as tf.Tensor4D;
  t.true(isUserError(t.throws(() => augment(rgba, { steps: [] }, new Rng(1)))));
  t.true(isUserError(t.throws(() => augment(images(1, 4), { steps: [{ type: 'flip', p: 2 }] }, new Rng(1)))));
});

test('no tensors leak across repeated calls', (t) => {
  const x = images(8, 32);
  const views = [
    ...resolveAugmentation(asymmetricPreset, { size: 32, overrides: { rotate: { p: 1 } } }),
    ...resolveAugmentation(symmetricPreset, { size: 24, disable: ['crop'], localCrops: 1 }),
  ];
  const rng = new Rng(1);
  augmentViews(x, views, rng).forEach((v) => v.dispose());
  const before = tf.memory().numTensors;
  for (let k = 0; k < 3; k++) augmentViews(x, views, rng).forEach((v) => v.dispose());
  t.is(tf.memory().numTensors, before);
  t.false(x.isDisposed);
});

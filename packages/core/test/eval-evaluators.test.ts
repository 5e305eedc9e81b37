import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Backbone } from '../src/backbones/backbone.js';
import type { Dataset, LabelledImage } from '../src/data/dataset.js';
import { isUserError } from '../src/errors.js';
import type { EvalContext, EvaluatorDefinition } from '../src/evaluator.js';
import { builtinEvaluators } from '../src/eval/index.js';
import { extractFeatures } from '../src/eval/extract-features.js';
import { ParameterSet } from '../src/nn/parameters.js';
import { resolveOptions, type OptionValues } from '../src/options.js';
import { Rng } from '../src/rng.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const COLOURS = [
  [220, 40, 40],
  [40, 220, 40],
  [40, 40, 220],
  [220, 220, 40],
  [40, 220, 220],
];

/** Images whose colour says the class (plus pixel noise); label i % classes. */
function colourDataset(size: number, classes: number, seed: number, opts: { side?: number; channels?: 1 | 3; unlabelled?: boolean } = {}): Dataset {
  const side = opts.side ?? 6;
  const channels = opts.channels ?? 3;
  const rng = new Rng(seed);
  const images = Array.from({ length: size }, (_, i) => {
    const img = new Uint8Array(side * side * channels);
    const colour = COLOURS[i % classes]!;
    for (let p = 0; p < side * side; p++) {
      for (let c = 0; c < channels; c++) img[p * channels + c] = Math.max(0, Math.min(255, colour[c]! + rng.normal(0, 40)));
    }
    return img;
  });
  return {
    name: `colours-${seed}`,
    size,
    classes: Array.from({ length: classes }, (_, c) => `c${c}`),
    shape: [side, side, channels],
    async get(index: number): Promise<LabelledImage> {
      return { image: images[index]!, label: opts.unlabelled ? -1 : index % classes };
    },
  };
}

/** Global average pool → fixed random 3→8 map → ReLU; records what it was called with. */
function fakeBackbone(): Backbone & { calls: Array<{ shape: number[]; training: boolean }> } {
  const rng = new Rng(5);
  const proj = tf.tensor2d(Array.from({ length: 24 }, () => rng.normal()), [3, 8]);
  const calls: Array<{ shape: number[]; training: boolean }> = [];
  return {
    id: 'fake',
    featureDim: 8,
    params: new ParameterSet('backbone'),
    calls,
    apply(x, training) {
      calls.push({ shape: x.shape, training });
      return tf.tidy(() => tf.relu(tf.matMul(tf.mean(x, [1, 2]) as tf.Tensor2D, proj)) as tf.Tensor2D);
    },
  };
}

const NORMALIZATION = { mean: [0.5, 0.4, 0.3] as [number, number, number], std: [0.2, 0.25, 0.3] as [number, number, number] };

function context(evaluator: EvaluatorDefinition, options: OptionValues, datasets: Record<string, Dataset>) {
  const requests: OptionValues[] = [];
  const backbone = fakeBackbone();
  const ctx: EvalContext = {
    backbone,
    options: resolveOptions(evaluator.options, options, `evaluator ${evaluator.id}`),
    rng: new Rng(0),
    normalization: NORMALIZATION,
    async openDataset(id, opts) {
      requests.push({ id, ...opts });
      return datasets[String(opts?.split)]!;
    },
  };
  return { ctx, requests, backbone };
}

const evaluator = (id: string): EvaluatorDefinition => builtinEvaluators.find((e) => e.id === id)!;

test.serial('builtinEvaluators lists finetune, linear and knn', (t) => {
  t.deepEqual(builtinEvaluators.map((e) => e.id).sort(), ['finetune', 'knn', 'linear']);
  const linear = resolveOptions(evaluator('linear').options, {}, 'linear');
  t.like(linear, { dataset: 'synthetic-shifted', trainSplit: 'train', testSplit: 'test', epochs: 100, batchSize: 256, optimizer: 'adam' });
  t.like(resolveOptions(evaluator('knn').options, {}, 'knn'), { k: 20, temperature: 0.07 });
});

test.serial('extractFeatures: eval mode, batching, normalisation and resizing as documented, no leaks', async (t) => {
  const dataset = colourDataset(7, 3, 1);
  const backbone = fakeBackbone();
  const before = tf.memory().numTensors;
  const events: number[] = [];
  const small = await extractFeatures(backbone, dataset, { batchSize: 3, normalization: NORMALIZATION, progress: (e) => events.push(e.step) });
  const big = await extractFeatures(backbone, dataset, { batchSize: 100, normalization: NORMALIZATION });
  t.deepEqual(events, [1, 2, 3]);
  t.deepEqual(small.features.shape, [7, 8]);
  t.deepEqual(Array.from(small.labels), [0, 1, 2, 0, 1, 2, 0]);
  t.true(backbone.calls.every((c) => !c.training), 'backbone runs in eval mode');
  t.deepEqual(backbone.calls.map((c) => c.shape[0]), [3, 3, 1, 7]);
  // The same pipeline by hand for image 4.
  const image = (await dataset.get(4)).image;
  const manual = tf.tidy(() => {
    const x = tf.div(tf.sub(tf.div(tf.tensor4d(Float32Array.from(image), [1, 6, 6, 3]), 255), NORMALIZATION.mean), NORMALIZATION.std);
    return backbone.apply(x as tf.Tensor4D, false);
  });
  const row = (f: tf.Tensor2D, i: number) => Array.from(f.dataSync().slice(i * 8, i * 8 + 8));
  const expected = Array.from(manual.dataSync());
  for (const got of [row(small.features, 4), row(big.features, 4)]) {
    got.forEach((v, j) => t.true(Math.abs(v - expected[j]!) < 1e-5, `${v} vs ${expected[j]}`));
  }
  tf.dispose([small.features, big.features, manual]);
  t.is(tf.memory().numTensors, before, 'no tensors leak');

  // Resize to the backbone's size; grey images are expanded to RGB.
  const grey = colourDataset(2, 2, 2, { channels: 1, side: 5 });
  const resized = await extractFeatures(backbone, grey, { batchSize: 8, normalization: NORMALIZATION, size: 10 });
  t.deepEqual(backbone.calls.at(-1)!.shape, [2, 10, 10, 3]);
  resized.features.dispose();
});

test.serial('linear probe: ~100% on class-coloured images, frozen features, no leaks', async (t) => {
  const { ctx, requests, backbone } = context(
    evaluator('linear'),
    { dataset: 'colours', datasetOptions: 'perClass=5', epochs: 30, batchSize: 32, lr: 0.01, size: 8 },
    { train: colourDataset(200, 4, 10), test: colourDataset(80, 4, 11) },
  );
  const before = tf.memory().numTensors;
  const result = await evaluator('linear').evaluate(ctx);
  t.is(tf.memory().numTensors, before, 'no tensors leak');
  t.deepEqual(requests, [
    { id: 'colours', perClass: '5', split: 'train' },
    { id: 'colours', perClass: '5', split: 'test' },
  ]);
  t.true(backbone.calls.every((c) => !c.training && c.shape[1] === 8 && c.shape[2] === 8));
  t.true(result.metrics.top1! >= 97, `top1 ${result.metrics.top1}`);
  t.true(result.metrics.trainTop1! >= 97, `train ${result.metrics.trainTop1}`);
  // 4 classes: "top5" is top-4, which always hits.
  t.is(result.metrics.top5, 100);
  t.like(result.details, { classes: 4, top5k: 4, trainSize: 200, testSize: 80, featureDim: 8 });
});

test.serial('kNN evaluator: ~100% on class-coloured images, no leaks', async (t) => {
  const { ctx } = context(
    evaluator('knn'),
    { dataset: 'colours', k: 10, chunk: 16 },
    { train: colourDataset(150, 5, 20), test: colourDataset(60, 5, 21) },
  );
  const before = tf.memory().numTensors;
  const result = await evaluator('knn').evaluate(ctx);
  t.is(tf.memory().numTensors, before, 'no tensors leak');
  t.true(result.metrics.top1! >= 95, `top1 ${result.metrics.top1}`);
  t.is(result.metrics.top5, 100);
  t.like(result.details, { classes: 5, top5k: 5, k: 10, trainSize: 150, testSize: 60 });
});

test.serial('an unlabelled split ends in a UserError naming it, without leaking', async (t) => {
  const { ctx } = context(evaluator('knn'), { dataset: 'colours' }, {
    train: colourDataset(10, 2, 30, { unlabelled: true }),
    test: colourDataset(10, 2, 31),
  });
  const before = tf.memory().numTensors;
  const error = await t.throwsAsync(evaluator('knn').evaluate(ctx));
  t.true(isUserError(error));
  t.regex(error!.message, /colours split 'train' has unlabelled images/);
  t.is(tf.memory().numTensors, before);
});

// The fine-tuning evaluator on a width-4 ResNet-18 at 16 px on wasm (the backend training runs
// on here): it trains the backbone in memory, learns an easy task, is reproducible, leaks
// nothing, leaves the run's checkpoint on disk alone, and refuses bad options in one line.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/index.js';
import { resnet18Definition } from '../src/backbones/resnet-definitions.js';
import type { Backbone } from '../src/backbones/backbone.js';
import { createRegistry } from '../src/builtins.js';
import type { Dataset, LabelledImage } from '../src/data/dataset.js';
import { isUserError } from '../src/errors.js';
import type { EvalContext, EvalResult } from '../src/evaluator.js';
import { fineTuneEvaluator } from '../src/eval/finetune.js';
import { builtinEvaluators } from '../src/eval/index.js';
import { ParameterSet } from '../src/nn/parameters.js';
import { resolveOptions, type OptionValues } from '../src/options.js';
import type { ProgressEvent } from '../src/progress.js';
import { Rng } from '../src/rng.js';
import { writeJsonAtomic } from '../src/runs/atomic-write.js';
import { checkpointName, saveCheckpoint } from '../src/runs/checkpoint.js';
import { evaluateRun } from '../src/runs/evaluate-run.js';
import { buildBackbone } from '../src/train/build-model.js';
import { resolveRunConfig } from '../src/train/run-config.js';

test.before(async () => {
  await initBackend('wasm');
});

const SIDE = 16;
const COLOURS = [
  [220, 40, 40],
  [40, 220, 40],
  [40, 40, 220],
  [220, 220, 40],
];

/** Images whose colour says the class, with pixel noise; label i % classes. */
function colourDataset(size: number, seed: number, opts: { classes?: number; unlabelled?: boolean; width?: number } = {}): Dataset {
  const classes = opts.classes ?? 4;
  const width = opts.width ?? SIDE;
  const rng = new Rng(seed);
  const images = Array.from({ length: size }, (_, i) => {
    const img = new Uint8Array(SIDE * width * 3);
    const colour = COLOURS[i % classes]!;
    for (let p = 0; p < SIDE * width; p++) {
      for (let c = 0; c < 3; c++) img[p * 3 + c] = Math.max(0, Math.min(255, colour[c]! + rng.normal(0, 40)));
    }
    return img;
  });
  return {
    name: `colours-${seed}`,
    size,
    classes: Array.from({ length: classes }, (_, c) => `c${c}`),
    shape: [SIDE, width, 3],
    async get(index: number): Promise<LabelledImage> {
      return { image: images[index]!, label: opts.unlabelled ? -1 : index % classes };
    },
  };
}

const NORMALIZATION = { mean: [0.5, 0.5, 0.5] as [number, number, number], std: [0.25, 0.25, 0.25] as [number, number, number] };
// From random init a tiny backbone needs a brisk rate to learn in 24 steps (the default suits pre-trained ones).
const TINY: OptionValues = { dataset: 'colours', epochs: 6, batchSize: 16, warmupEpochs: 0, lr: 0.01 };

interface Setup {
  ctx: EvalContext;
  backbone: Backbone;
  events: ProgressEvent[];
  dispose(): void;
}

/** A fresh width-4 ResNet-18 (same seed every time) and a context over the given splits. */
function setup(options: OptionValues, splits: Record<string, Dataset>, seed = 0): Setup {
  const resolved = resolveOptions(fineTuneEvaluator.options, options, 'evaluator finetune');
  const params = new ParameterSet();
  const backbone = resnet18Definition.build({ width: 4 }, { rng: new Rng(3), params: params.scope('backbone'), inputShape: [SIDE, SIDE, 3] });
  const events: ProgressEvent[] = [];
  const ctx: EvalContext = {
    backbone,
    options: resolved,
    rng: new Rng(seed),
    normalization: NORMALIZATION,
    progress: (e) => events.push(e),
    async openDataset(_id, opts) {
      return splits[String(opts?.split)]!;
    },
  };
  return { ctx, backbone, events, dispose: () => params.dispose() };
}

const easy = (): Record<string, Dataset> => ({ train: colourDataset(64, 10), test: colourDataset(40, 11) });

function snapshot(backbone: Backbone): Map<string, Float32Array> {
  return new Map(backbone.params.list().map((p) => [p.name, p.variable.dataSync() as Float32Array]));
}

test.serial('finetune is registered with laptop-sized defaults', (t) => {
  t.true(builtinEvaluators.includes(fineTuneEvaluator));
  t.like(resolveOptions(fineTuneEvaluator.options, {}, 'finetune'), {
    dataset: 'synthetic-shifted',
    epochs: 10,
    batchSize: 64,
    optimizer: 'adamw',
    lr: 1e-3,
    weightDecay: 0.05,
    warmupEpochs: 1,
    minCropScale: 0.2,
    flip: true,
    labelSmoothing: 0,
  });
});

test.serial('fine-tuning trains the backbone in memory, learns class colours, leaks nothing', async (t) => {
  const { ctx, backbone, events, dispose } = setup(TINY, easy());
  const before = snapshot(backbone);
  const tensors = tf.memory().numTensors;
  const started = performance.now();
  const result = await fineTuneEvaluator.evaluate(ctx);
  const seconds = (performance.now() - started) / 1000;
  t.is(tf.memory().numTensors, tensors, 'no tensors leak');
  t.log(`metrics ${JSON.stringify(result.metrics)}, loss ${String(result.details?.finalTrainLoss)}, ${seconds.toFixed(1)} s (${(Number(result.details?.trainSeconds) / 6).toFixed(2)} s per epoch of 64 images)`);

  // 4 classes: chance is 25%, and an untrained (zero) head scores exactly that.
  t.true(result.metrics.top1! > 50, `top1 ${result.metrics.top1}`);
  t.true(result.metrics.trainTop1! > 50, `trainTop1 ${result.metrics.trainTop1}`);
  t.is(result.metrics.top5, 100, 'top-4 of 4 classes always hits');
  t.like(result.details, { classes: 4, top5k: 4, trainSize: 64, testSize: 40, imageSize: SIDE, epochs: 6, steps: 24, batchSize: 16 });
  t.true(Number(result.details?.finalTrainLoss) < Math.log(4), 'the loss fell below ln 4');

  const after = snapshot(backbone);
  const changed = (role: string) =>
    backbone.params.list().filter((p) => p.role === role && after.get(p.name)!.some((v, i) => v !== before.get(p.name)![i]));
  const weights = backbone.params.list().filter((p) => p.role === 'weight');
  t.is(changed('weight').length, weights.length, 'every convolution of the backbone was trained');
  t.true(changed('norm').length > 0, 'batch-norm scales and shifts were trained');
  t.true(changed('buffer').length > 0, 'batch-norm running statistics were updated (training mode)');

  const training = events.filter((e) => e.phase === 'finetune');
  t.deepEqual(training.map((e) => e.step), Array.from({ length: 24 }, (_, i) => i + 1));
  t.true(training.every((e) => e.steps === 24 && e.epochs === 6 && Number.isFinite(e.loss)));
  t.true(events.some((e) => e.phase === 'test'));
  dispose();
});

test.serial('with lr 0 nothing is learned: the zero head scores chance exactly', async (t) => {
  const { ctx, backbone, dispose } = setup({ ...TINY, epochs: 1, lr: 0 }, easy());
  const weights = backbone.params.list().find((p) => p.role === 'weight')!;
  const before = weights.variable.dataSync().slice();
  const result = await fineTuneEvaluator.evaluate(ctx);
  t.is(result.metrics.top1, 25);
  t.deepEqual(weights.variable.dataSync(), before);
  dispose();
});

test.serial('the same seed gives the same metrics and weights; another seed does not', async (t) => {
  const run = async (seed: number): Promise<{ result: EvalResult; weights: Map<string, Float32Array> }> => {
    const { ctx, backbone, dispose } = setup({ ...TINY, epochs: 2, optimizer: 'sgd', lr: 0.05, labelSmoothing: 0.1 }, easy(), seed);
    const result = await fineTuneEvaluator.evaluate(ctx);
    const weights = snapshot(backbone);
    dispose();
    return { result, weights };
  };
  const [a, b, c] = [await run(0), await run(0), await run(1)];
  t.deepEqual(a.result.metrics, b.result.metrics);
  t.is(a.result.details?.finalTrainLoss, b.result.details?.finalTrainLoss);
  t.deepEqual(a.weights, b.weights);
  t.not(a.result.details?.finalTrainLoss, c.result.details?.finalTrainLoss, 'the seed drives shuffling and augmentation');
});

test.serial('bad options and unusable splits end in a UserError, without leaking', async (t) => {
  const tensors = tf.memory().numTensors;
  const fails = async (options: OptionValues, splits: Record<string, Dataset>, pattern: RegExp): Promise<void> => {
    const error = await t.throwsAsync(async () => {
      const { ctx, dispose } = setup(options, splits);
      try {
        await fineTuneEvaluator.evaluate(ctx);
      } finally {
        dispose();
      }
    });
    t.true(isUserError(error), String(error));
    t.regex(error!.message, pattern);
  };
  await fails({ ...TINY, minCropScale: 0 }, easy(), /option 'minCropScale' must be >= 0.01/);
  await fails({ ...TINY, minCropScale: 1.5 }, easy(), /option 'minCropScale' must be <= 1/);
  await fails({ ...TINY, optimizer: 'lars' }, easy(), /option 'optimizer' must be one of adamw, sgd/);
  await fails({ ...TINY, batchSize: 1 }, easy(), /option 'batchSize' must be >= 2/);
  await fails({ ...TINY, lr: 1e30, optimizer: 'sgd', epochs: 1 }, easy(), /training loss became (NaN|-?Infinity)/);
  await fails(TINY, { train: colourDataset(8, 1, { unlabelled: true }), test: colourDataset(8, 2) }, /colours split 'train' has unlabelled images/);
  await fails(TINY, { train: colourDataset(8, 1), test: colourDataset(8, 2, { classes: 3 }) }, /train split has 4 classes, test split 3/);
  await fails(TINY, { train: colourDataset(1, 1), test: colourDataset(8, 2) }, /has 1 image/);
  await fails(TINY, { train: colourDataset(8, 1, { width: 20 }), test: colourDataset(8, 2) }, /images are 16×20, training crops are square/);
  t.is(tf.memory().numTensors, tensors, 'no tensors leak');
});

async function digest(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path] = `${createHash('sha256').update(await readFile(path)).digest('hex')} ${(await stat(path)).mtimeMs}`;
  }
  return out;
}

test.serial('evaluateRun fine-tunes a copy of the checkpoint and never writes to it', async (t) => {
  const registry = createRegistry();
  registry.methods.register({
    id: 'stub',
    description: 'a run config needs a method',
    options: {},
    training: {},
    augmentation: 'symmetric',
    create: () => {
      throw new Error('not trained here');
    },
  });
  const config = resolveRunConfig([{ method: 'stub', dataset: 'synthetic', backbone: 'resnet18', backboneOptions: { width: 4 }, augmentation: { size: SIDE }, seed: 5 }], registry);
  const runDir = await mkdtemp(join(tmpdir(), 'sempair-finetune-'));
  await writeJsonAtomic(join(runDir, 'config.json'), config);
  const built = buildBackbone(config, registry, new Rng(99));
  await saveCheckpoint(join(runDir, 'checkpoints'), checkpointName(10), new Map(built.params.list().map((p) => [p.name, p.variable])), {
    format: 'sempair-checkpoint',
    version: 1,
    epoch: 1,
    step: 10,
  });
  built.params.dispose();
  const checkpoint = await digest(join(runDir, 'checkpoints'));
  const tensors = tf.memory().numTensors;

  const result = await evaluateRun(registry, {
    runDir,
    evaluator: 'finetune',
    options: { datasetOptions: 'perClass=4,size=16,classes=4', epochs: 1, batchSize: 8 },
  });
  t.is(tf.memory().numTensors, tensors, 'the fine-tuned backbone is disposed');
  t.deepEqual(await digest(join(runDir, 'checkpoints')), checkpoint, 'checkpoint files are byte-for-byte and mtime unchanged');
  const saved = JSON.parse(await readFile(join(runDir, 'eval', 'finetune.json'), 'utf8')) as { checkpoint: string; metrics: Record<string, number>; options: OptionValues };
  t.is(saved.checkpoint, 'step-00000010');
  t.deepEqual(saved.metrics, result.metrics);
  t.like(saved.options, { size: SIDE, epochs: 1, optimizer: 'adamw' });
  // The record names the engine that computed its numbers.
  t.like(saved as unknown as Record<string, unknown>, { backend: tf.getBackend(), backendRequested: config.backend });
  t.regex((saved as unknown as { backendReason: string }).backendReason, /\w/);
  t.like(result.details, { dataset: 'synthetic-shifted', trainSize: 16, testSize: 16, steps: 2 });
});

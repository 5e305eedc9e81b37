// The `detection` evaluator end to end on a tiny synthetic VOC set (a width-4 ResNet-18, two
// iterations): registered through the plugin, metrics and per-class AP in detectron2's form, the
// results files it writes score the same through the metric, deterministic, one-line errors;
// and the moco preset is MoCo's detectron2 recipe number for number.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import {
  createRegistry, initBackend, isUserError, ParameterSet, resnet18Definition, resolveOptions, Rng, vitTinyDefinition,
  type Backbone, type EvalResult, type OptionValues, type ProgressEvent,
} from '@sempair/core';
import { detectionPlugin } from '../src/plugin.js';
import { detectionSettings } from '../src/train/detection-options.js';
import { writeSyntheticVoc, SYNTHETIC_VOC_CLASSES } from '../src/voc/synthetic-voc.js';
import { openVocDataset } from '../src/voc/voc-dataset.js';
import { parseVocParts } from '../src/voc/voc-devkit.js';
import { readVocResultsDir } from '../src/metric/voc-results.js';
import { evaluateVoc } from '../src/metric/voc-metric.js';

const root = mkdtempSync(join(tmpdir(), 'sempair-det-'));
const voc = join(root, 'voc');
test.before(async () => {
  await initBackend('wasm');
  await writeSyntheticVoc({ out: voc, images: 10, size: 48, seed: 3 });
});
test.after.always(() => rmSync(root, { recursive: true, force: true }));

const registry = createRegistry();
registry.use(detectionPlugin);
const evaluator = registry.evaluators.get('detection');

const TINY = { voc, preset: 'cpu', iterations: 2, preciseBnIterations: 2, batchSize: 2, trainMinSizes: '40', testMinSize: 40, rpnPreNmsTest: 100, rpnPostNmsTest: 20, logEvery: 1 };

function resnet(seed = 0): { backbone: Backbone; params: ParameterSet } {
  const params = new ParameterSet();
  const backbone = resnet18Definition.build({ width: 4, cifarStem: true }, { rng: new Rng(seed), params: params.scope('backbone'), inputShape: [32, 32, 3] });
  return { backbone, params };
}

async function evaluate(options: OptionValues, built = resnet(), events: ProgressEvent[] = []): Promise<EvalResult> {
  try {
    return await evaluator.evaluate({
      backbone: built.backbone,
      options: resolveOptions(evaluator.options, options, 'evaluator detection'),
      rng: new Rng(7),
      normalization: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
      openDataset: () => Promise.reject(new Error('detection reads its own VOC set')),
      progress: (e) => events.push(e),
    });
  } finally {
    built.params.dispose();
  }
}

test.serial('trains, detects and scores: AP, AP50, AP75 and per-class AP, results files that score the same', async (t) => {
  const results = join(root, 'results');
  const events: ProgressEvent[] = [];
  const before = tf.memory().numTensors;
  const result = await evaluate({ ...TINY, resultsDir: results }, resnet(), events);
  t.is(tf.memory().numTensors, before, 'the detector is disposed, nothing leaks');
  t.deepEqual(Object.keys(result.metrics), ['AP', 'AP50', 'AP75']);
  for (const v of Object.values(result.metrics)) t.true(v >= 0 && v <= 100);
  const details = result.details as Record<string, any>;
  t.deepEqual(details.perClass.map((c: { cls: string }) => c.cls), [...SYNTHETIC_VOC_CLASSES]);
  t.like(details, { preset: 'cpu', metric: '11-point', iterations: 2, preciseBn: { iterations: 2, layers: 21 }, testSet: '2007:test', trainSets: '2007:trainval' });
  t.is(details.trainLog.length, 2);
  t.deepEqual(details.backbone, { id: 'resnet18', width: 4, cifarStem: true, stride: 4 });
  t.deepEqual(events.filter((e) => e.phase === 'train').map((e) => e.step), [1, 2]);
  t.deepEqual(events.filter((e) => e.phase === 'precise-bn').map((e) => e.step), [1, 2]);
  t.is(events.filter((e) => e.phase === 'test').at(-1)!.step, details.testImages);

  const files = readdirSync(results).sort();
  t.deepEqual(files, SYNTHETIC_VOC_CLASSES.map((c) => `comp4_det_test_${c}.txt`).sort());
  const test07 = await openVocDataset(voc, parseVocParts('2007:test'));
  const read = await readVocResultsDir(results, test07.classes);
  const again = evaluateVoc({ images: test07.images, classes: test07.classes, detections: read.detections, use07Metric: true });
  t.is(again.AP50, result.metrics.AP50, 'the results files give the same AP50 through sempair eval voc-metric');
  t.is(again.AP, result.metrics.AP);
});

test.serial('the same seed and options give the same numbers', async (t) => {
  const a = await evaluate({ ...TINY, maxTestImages: 2 });
  const b = await evaluate({ ...TINY, maxTestImages: 2 });
  t.deepEqual(a.metrics, b.metrics);
  t.deepEqual((a.details as any).finalLosses, (b.details as any).finalLosses);
  t.is((a.details as any).testImages, 2);
});

test.serial('user mistakes end in one line naming the fix', async (t) => {
  const expectUserError = async (options: OptionValues, pattern: RegExp, built?: { backbone: Backbone; params: ParameterSet }) => {
    const error = await t.throwsAsync(evaluate(options, built));
    t.true(isUserError(error), String(error));
    t.regex(error!.message, pattern);
  };
  await expectUserError({ preset: 'cpu' }, /needs a VOCdevkit/);
  await expectUserError({ ...TINY, testSet: '2007:test,2007:val' }, /testSet names 2 image sets/);
  await expectUserError({ ...TINY, lrSteps: '20,10' }, /lrSteps must be increasing/);
  await expectUserError({ ...TINY, voc: join(root, 'nowhere') }, /not a folder/);
  const params = new ParameterSet();
  const vit = vitTinyDefinition.build({ patchSize: 8, depth: 1 }, { rng: new Rng(0), params: params.scope('backbone'), inputShape: [32, 32, 3] });
  await expectUserError(TINY, /is not a ResNet/, { backbone: vit, params });
});

test("the moco preset is MoCo's detectron2 recipe (REFERENCE.md, detectron2 defaults)", (t) => {
  const s = detectionSettings(resolveOptions(evaluator.options, { voc: '/data/VOCdevkit' }, 'evaluator detection'));
  t.is(s.preset, 'moco');
  // TEST.PRECISE_BN on (Base-RCNN-C4-BN.yaml) with detectron2's NUM_ITER 200.
  t.like(s, { trainSets: '2007+2012:trainval', testSet: '2007:test', batchSize: 16, trainMaxSize: 1333, testMinSize: 800, testMaxSize: 1333, flip: true, preciseBnIterations: 200 });
  t.deepEqual(s.trainMinSizes, [480, 512, 544, 576, 608, 640, 672, 704, 736, 768, 800]);
  t.deepEqual(s.solver, { iterations: 24000, baseLr: 0.02, steps: [18000, 22000], gamma: 0.1, warmupIterations: 100, warmupFactor: 0.001, momentum: 0.9, weightDecay: 1e-4 });
  t.deepEqual(s.normalization, { mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] });
  t.deepEqual(s.detector.rpn, {
    anchorSizes: [32, 64, 128, 256, 512], aspectRatios: [0.5, 1, 2], iouThresholds: [0.3, 0.7], batchSizePerImage: 256, positiveFraction: 0.5,
    preNmsTopKTrain: 12000, postNmsTopKTrain: 2000, preNmsTopKTest: 6000, postNmsTopKTest: 1000, nmsThreshold: 0.7, smoothL1Beta: 0,
  });
  t.deepEqual(s.detector.roi, {
    batchSizePerImage: 512, positiveFraction: 0.25, iouThreshold: 0.5, appendGroundTruth: true, poolerResolution: 14, poolerSamplingRatio: 0,
    smoothL1Beta: 0, scoreThreshold: 0.05, nmsThreshold: 0.5, detectionsPerImage: 100,
  });
  // Any value of a preset can be overridden.
  const cpu = detectionSettings(resolveOptions(evaluator.options, { preset: 'cpu', iterations: '50', anchorSizes: '8,16' }, 'evaluator detection'));
  t.is(cpu.solver.iterations, 50);
  t.deepEqual(cpu.detector.rpn.anchorSizes, [8, 16]);
  t.is(cpu.detector.roi.poolerResolution, 7);
  t.is(cpu.preciseBnIterations, 50, 'one epoch of the 200-image synthetic set');
});

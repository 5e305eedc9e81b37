import { ResNet, UserError, type Backbone, type EvalContext, type EvalResult, type EvaluatorDefinition, type OptionValues } from '@sempair/core';
import { evaluateVoc, usesVoc07Metric } from './metric/voc-metric.js';
import { vocDetectionsFromPredictions, writeVocResultsDir } from './metric/voc-results.js';
import { FasterRcnn, trunkStride } from './model/faster-rcnn.js';
import { detectImages } from './train/detect-images.js';
import { preciseBn } from './train/precise-bn.js';
import { resetBatchNorm } from './train/reset-batch-norm.js';
import { detectionOptionSchema, detectionSettings, type DetectionSettings } from './train/detection-options.js';
import { TrainBatches } from './train/train-batches.js';
import { trainDetector } from './train/train-detector.js';
import { openVocDataset } from './voc/voc-dataset.js';
import { checkVocPart, parseVocParts, vocClassList } from './voc/voc-devkit.js';
import type { VocPart } from './voc/voc-types.js';

const WHERE = 'evaluator detection';

/** Decoded training images kept in memory (the synthetic set fits; VOC's 16k images do not). */
const TRAIN_CACHE_BYTES = 512 * 1024 * 1024;

/** The settings of resolved options, checked as far as possible without touching the disk. */
function checkedSettings(options: OptionValues): { settings: DetectionSettings; trainParts: VocPart[]; testPart: VocPart } {
  const settings = detectionSettings(options);
  if (!settings.voc) throw new UserError(`${WHERE} needs a VOCdevkit`, 'pass --voc <VOCdevkit folder> (voc=<folder> in a config file)');
  const trainParts = parseVocParts(settings.trainSets);
  const testParts = parseVocParts(settings.testSet);
  if (testParts.length !== 1) throw new UserError(`${WHERE}: testSet names ${testParts.length} image sets`, 'evaluate on one, e.g. testSet=2007:test');
  return { settings, trainParts, testPart: testParts[0]! };
}

function asResNet(backbone: Backbone): ResNet {
  if (!(backbone instanceof ResNet)) {
    throw new UserError(`${WHERE}: backbone ${backbone.id} is not a ResNet`, 'Faster R-CNN C4 needs a resnet18 or resnet50 checkpoint');
  }
  return backbone;
}

/**
 * Detection transfer (the paper's Table 3): the pre-trained ResNet becomes the C4 backbone of a
 * Faster R-CNN, which is trained on VOC trainval (07+12 with the moco preset) and evaluated on
 * VOC2007 test with detectron2's PascalVOCDetectionEvaluator: AP (mean over IoU 0.50:0.95),
 * AP50 and AP75, ×100, and per-class AP. The whole network is trained in memory; the run's
 * checkpoint is left as it is.
 */
export const detectionEvaluator: EvaluatorDefinition = {
  id: 'detection',
  description: 'Faster R-CNN R-C4 fine-tuned on PASCAL VOC trainval, AP / AP50 / AP75 on VOC2007 test (detectron2 metric)',
  options: detectionOptionSchema,
  validate(options: OptionValues): void {
    checkedSettings(options);
  },
  async evaluate(ctx: EvalContext): Promise<EvalResult> {
    const { settings, trainParts, testPart } = checkedSettings(ctx.options);
    const resnet = asResNet(ctx.backbone);
    // The evaluator owns the backbone it was handed (a fresh load of the checkpoint).
    if (settings.resetNorm) resetBatchNorm(resnet);
    if (resnet.config.inChannels !== 3) throw new UserError(`${WHERE}: the backbone takes ${resnet.config.inChannels}-channel images`, 'detection needs a backbone pre-trained on RGB images');
    await checkVocPart(settings.voc, testPart);
    const classes = settings.classes.length ? settings.classes : (await vocClassList(settings.voc)).classes;
    const train = await openVocDataset(settings.voc, trainParts, { classes });
    const test = await openVocDataset(settings.voc, [testPart], { classes });
    const trainImages = settings.maxTrainImages > 0 ? train.images.slice(0, settings.maxTrainImages) : train.images;
    const testImages = settings.maxTestImages > 0 ? test.images.slice(0, settings.maxTestImages) : test.images;
    const batches = new TrainBatches(train, trainImages, {
      batchSize: settings.batchSize,
      minSizes: settings.trainMinSizes,
      maxSize: settings.trainMaxSize,
      flip: settings.flip,
      normalization: settings.normalization,
      cacheBytes: TRAIN_CACHE_BYTES,
    }, ctx.rng.derive('batches'));
    if (batches.size === 0) throw new UserError(`${WHERE}: no training image of ${settings.trainSets} has an object of the ${classes.length} classes`, 'check trainSets and classes');

    const model = new FasterRcnn(resnet, { ...settings.detector, roi: { ...settings.detector.roi, classes: classes.length } }, ctx.rng.derive('detector'));
    try {
      const trained = await trainDetector(model, () => batches.next(), {
        solver: settings.solver,
        batchSize: settings.batchSize,
        rng: ctx.rng.derive('train'),
        logEvery: settings.logEvery,
        progress: ctx.progress,
      });
      const precise = settings.preciseBnIterations > 0 ? await preciseBn(model, () => batches.next(), settings.preciseBnIterations, ctx.rng.derive('precise-bn'), ctx.progress) : undefined;
      const testStarted = performance.now();
      const predictions = await detectImages(model, test, testImages, {
        minSize: settings.testMinSize,
        maxSize: settings.testMaxSize,
        normalization: settings.normalization,
        batchSize: settings.testBatchSize,
        progress: ctx.progress,
      });
      const testSeconds = (performance.now() - testStarted) / 1000;
      const detections = vocDetectionsFromPredictions(predictions, classes);
      if (settings.resultsDir) await writeVocResultsDir(settings.resultsDir, classes, detections, testPart.split);
      const result = evaluateVoc({ images: testImages, classes, detections, use07Metric: usesVoc07Metric(testPart.year) });
      return {
        metrics: { AP: result.AP, AP50: result.AP50, AP75: result.AP75 },
        details: {
          preset: settings.preset,
          resetNorm: settings.resetNorm,
          preciseBn: precise ? { iterations: precise.iterations, layers: precise.layers, seconds: Number(precise.seconds.toFixed(1)) } : null,
          metric: result.metric,
          perClass: result.perClass.map((c) => ({ cls: c.cls, AP: c.AP, AP50: c.AP50, AP75: c.AP75, positives: c.positives, detections: c.detections })),
          trainSets: settings.trainSets,
          testSet: settings.testSet,
          trainImages: batches.size,
          testImages: testImages.length,
          classes,
          // The recipe's pixel normalisation, and the one the backbone was pre-trained with (0–1 scale).
          normalization: settings.normalization,
          pretrainNormalization: ctx.normalization,
          backbone: { id: resnet.id, width: resnet.config.width, cifarStem: resnet.config.cifarStem, stride: trunkStride(resnet) },
          iterations: trained.iterations,
          trainSeconds: Number(trained.seconds.toFixed(1)),
          trainImagesPerSecond: Number(trained.imagesPerSecond.toFixed(2)),
          testSeconds: Number(testSeconds.toFixed(1)),
          finalLosses: trained.finalLosses,
          trainLog: trained.log,
          detectorParameters: model.params.count(),
          ...(settings.resultsDir ? { resultsDir: settings.resultsDir } : {}),
        },
      };
    } finally {
      model.dispose();
    }
  },
};

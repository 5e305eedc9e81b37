import { UserError, type OptionSchema, type OptionValues } from '@sempair/core';
import type { DetectorConfig } from '../model/faster-rcnn.js';
import type { Normalization } from './image-transforms.js';
import type { SolverSettings } from './solver.js';

/**
 * The detection evaluator's settings. Two presets fill every value a run does not set:
 * - `moco`: MoCo's VOC recipe on detectron2 (configs/pascal_voc_R_50_C4_24k_moco.yaml over
 *   Base-RCNN-C4-BN.yaml, with detectron2's defaults for everything they leave out);
 * - `cpu`: the same model and losses shrunk to train in minutes on one CPU core on the
 *   synthetic VOC set: small images, a ResNet-18 checkpoint's own stride, fewer anchors sizes,
 *   proposals and sampled ROIs, a 7×7 pooler (res5 on 4×4) with a 2×2 sampling grid, PreciseBN
 *   over 50 batches (an epoch of the 200-image set) instead of 200.
 */
export const DETECTION_PRESETS = ['moco', 'cpu'] as const;
export type DetectionPreset = (typeof DETECTION_PRESETS)[number];

export interface DetectionSettings {
  preset: DetectionPreset;
  voc: string;
  trainSets: string;
  testSet: string;
  /** Empty: the devkit's classes.txt, else VOC's twenty. */
  classes: string[];
  maxTrainImages: number;
  maxTestImages: number;
  solver: SolverSettings;
  batchSize: number;
  trainMinSizes: number[];
  trainMaxSize: number;
  testMinSize: number;
  testMaxSize: number;
  flip: boolean;
  /** Start the backbone's batch norms fresh (γ 1, β 0, statistics 0/1), keeping its convolutions. */
  resetNorm: boolean;
  /** Batches of PreciseBN before testing (0: test on the running averages left by training). */
  preciseBnIterations: number;
  normalization: Normalization;
  detector: Omit<DetectorConfig, 'roi'> & { roi: Omit<DetectorConfig['roi'], 'classes'> };
  testBatchSize: number;
  logEvery: number;
  resultsDir: string;
}

type PresetValues = Record<string, number | boolean | string | number[]>;

const range = (from: number, to: number, step: number): number[] => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, k) => from + k * step);

/** Every preset-dependent option, per preset. */
export const PRESET_VALUES: Record<DetectionPreset, PresetValues> = {
  moco: {
    trainSets: '2007+2012:trainval',
    iterations: 24000,
    batchSize: 16,
    lr: 0.02,
    lrSteps: [18000, 22000],
    warmupIterations: 100,
    trainMinSizes: range(480, 800, 32),
    trainMaxSize: 1333,
    testMinSize: 800,
    testMaxSize: 1333,
    anchorSizes: [32, 64, 128, 256, 512],
    rpnPreNmsTrain: 12000,
    rpnPostNmsTrain: 2000,
    rpnPreNmsTest: 6000,
    rpnPostNmsTest: 1000,
    roiBatchPerImage: 512,
    poolerResolution: 14,
    poolerSamplingRatio: 0,
    testBatchSize: 1,
    logEvery: 20,
    preciseBnIterations: 200,
  },
  cpu: {
    trainSets: '2007:trainval',
    iterations: 300,
    batchSize: 4,
    lr: 0.02,
    lrSteps: [225, 275],
    warmupIterations: 20,
    trainMinSizes: [64, 72, 80, 88, 96],
    trainMaxSize: 128,
    testMinSize: 80,
    testMaxSize: 128,
    anchorSizes: [16, 32, 64],
    rpnPreNmsTrain: 1000,
    rpnPostNmsTrain: 200,
    rpnPreNmsTest: 600,
    rpnPostNmsTest: 100,
    roiBatchPerImage: 32,
    poolerResolution: 7,
    poolerSamplingRatio: 2,
    testBatchSize: 8,
    logEvery: 10,
    preciseBnIterations: 50,
  },
};

const byPreset = (key: string): string => `moco ${JSON.stringify(PRESET_VALUES.moco[key])}, cpu ${JSON.stringify(PRESET_VALUES.cpu[key])}`;

export const detectionOptionSchema: OptionSchema = {
  voc: { type: 'string', default: '', description: 'VOCdevkit root, the folder holding VOC2007/ (and VOC2012/); required' },
  preset: { type: 'string', default: 'moco', choices: DETECTION_PRESETS, description: "moco: MoCo's VOC recipe (R50-C4, 24k iterations, batch 16); cpu: minutes on one CPU core on the synthetic VOC set" },
  trainSets: { type: 'string', description: `training image sets YEAR:SPLIT[,…] (${byPreset('trainSets')})` },
  testSet: { type: 'string', default: '2007:test', description: 'test image set YEAR:SPLIT (the 11-point AP for VOC2007, the area AP otherwise)' },
  classes: { type: 'string', default: '', description: "comma-separated class list (default: the devkit's classes.txt, else VOC's 20)" },
  maxTrainImages: { type: 'integer', default: 0, min: 0, description: 'use only the first N training images (0: all)' },
  maxTestImages: { type: 'integer', default: 0, min: 0, description: 'evaluate only the first N test images (0: all)' },
  iterations: { type: 'integer', min: 1, description: `training iterations (${byPreset('iterations')})` },
  batchSize: { type: 'integer', min: 1, description: `images per iteration (${byPreset('batchSize')})` },
  lr: { type: 'number', min: 0, description: `base learning rate of SGD (${byPreset('lr')})` },
  lrSteps: { type: 'number[]', description: `iterations where the learning rate is multiplied by lrGamma (${byPreset('lrSteps')})` },
  lrGamma: { type: 'number', default: 0.1, min: 0, description: 'learning-rate factor at each step' },
  warmupIterations: { type: 'integer', min: 0, description: `linear warm-up iterations (${byPreset('warmupIterations')})` },
  warmupFactor: { type: 'number', default: 0.001, min: 0, max: 1, description: 'warm-up starts at lr × this' },
  momentum: { type: 'number', default: 0.9, min: 0, max: 1, description: 'SGD momentum' },
  weightDecay: { type: 'number', default: 1e-4, min: 0, description: 'weight decay on weights and biases (not on norm parameters)' },
  trainMinSizes: { type: 'number[]', description: `training shorter sides, one drawn per image (${byPreset('trainMinSizes')})` },
  trainMaxSize: { type: 'integer', min: 1, description: `cap of the longer side in training (${byPreset('trainMaxSize')})` },
  testMinSize: { type: 'integer', min: 1, description: `test shorter side (${byPreset('testMinSize')})` },
  testMaxSize: { type: 'integer', min: 1, description: `cap of the longer side at test (${byPreset('testMaxSize')})` },
  flip: { type: 'boolean', default: true, description: 'random horizontal flip of training images' },
  preciseBnIterations: { type: 'integer', min: 0, description: `PreciseBN before testing (MoCo's TEST.PRECISE_BN; detectron2 runs 200 batches): every batch norm's statistics recomputed as the average over this many training batches with the final weights; 0: test on training's running averages (${byPreset('preciseBnIterations')})` },
  resetNorm: { type: 'boolean', default: false, description: "start the backbone's batch norms fresh (γ 1, β 0, running statistics 0/1) and keep its pre-trained convolutions (not in MoCo's recipe; for backbones whose norm scales moved far in pre-training)" },
  pixelMean: { type: 'number[]', default: [123.675, 116.28, 103.53], description: 'per-channel mean subtracted from RGB pixels (0–255)' },
  pixelStd: { type: 'number[]', default: [58.395, 57.12, 57.375], description: 'per-channel std dividing RGB pixels (0–255)' },
  anchorSizes: { type: 'number[]', description: `anchor sizes (√area, input pixels) (${byPreset('anchorSizes')})` },
  anchorRatios: { type: 'number[]', default: [0.5, 1, 2], description: 'anchor aspect ratios h/w' },
  rpnBatchPerImage: { type: 'integer', default: 256, min: 1, description: 'anchors sampled per image for the RPN losses' },
  rpnPositiveFraction: { type: 'number', default: 0.5, min: 0, max: 1, description: 'at most this fraction of them positive' },
  rpnIouThresholds: { type: 'number[]', default: [0.3, 0.7], description: 'anchor IoU below the first: negative; from the second: positive' },
  rpnPreNmsTrain: { type: 'integer', min: 1, description: `proposals before NMS per image, training (${byPreset('rpnPreNmsTrain')})` },
  rpnPostNmsTrain: { type: 'integer', min: 1, description: `proposals after NMS per image, training (${byPreset('rpnPostNmsTrain')})` },
  rpnPreNmsTest: { type: 'integer', min: 1, description: `proposals before NMS per image, test (${byPreset('rpnPreNmsTest')})` },
  rpnPostNmsTest: { type: 'integer', min: 1, description: `proposals after NMS per image, test (${byPreset('rpnPostNmsTest')})` },
  rpnNmsThreshold: { type: 'number', default: 0.7, min: 0, max: 1, description: 'NMS IoU threshold of the proposals' },
  rpnSmoothL1Beta: { type: 'number', default: 0, min: 0, description: 'smooth-L1 β of the RPN box loss (0: L1, detectron2)' },
  roiBatchPerImage: { type: 'integer', min: 1, description: `proposals sampled per image for the box head (${byPreset('roiBatchPerImage')})` },
  roiPositiveFraction: { type: 'number', default: 0.25, min: 0, max: 1, description: 'at most this fraction of them foreground' },
  roiIouThreshold: { type: 'number', default: 0.5, min: 0, max: 1, description: 'proposal IoU from which it is foreground' },
  roiSmoothL1Beta: { type: 'number', default: 0, min: 0, description: 'smooth-L1 β of the box-head loss (0: L1, detectron2)' },
  poolerResolution: { type: 'integer', min: 2, description: `RoIAlign output size; res5 halves it (${byPreset('poolerResolution')})` },
  poolerSamplingRatio: { type: 'integer', min: 0, description: `RoIAlign samples per bin side, 0 adaptive (${byPreset('poolerSamplingRatio')})` },
  scoreThreshold: { type: 'number', default: 0.05, min: 0, max: 1, description: 'test: keep detections scoring above this' },
  testNmsThreshold: { type: 'number', default: 0.5, min: 0, max: 1, description: 'test: per-class NMS IoU threshold' },
  detectionsPerImage: { type: 'integer', default: 100, min: 1, description: 'test: detections kept per image' },
  testBatchSize: { type: 'integer', min: 1, description: `test images per forward pass, same-size images only (${byPreset('testBatchSize')})` },
  logEvery: { type: 'integer', min: 1, description: `iterations per line of the training log (${byPreset('logEvery')})` },
  resultsDir: { type: 'string', default: '', description: 'also write the detections as VOC results files (comp4_det_<split>_<class>.txt) into this folder' },
};

function triple(values: number[], key: string): [number, number, number] {
  if (values.length !== 3) throw new UserError(`evaluator detection: ${key} needs 3 numbers (R, G, B), got ${values.length}`, `pass e.g. ${key}=123.675,116.28,103.53`);
  return [values[0]!, values[1]!, values[2]!];
}

function positiveList(values: number[], key: string): number[] {
  if (values.length === 0 || values.some((v) => !(v > 0))) throw new UserError(`evaluator detection: ${key} must list positive numbers, got [${values.join(', ')}]`, `pass e.g. ${key}=${(PRESET_VALUES.moco[key] as number[] | undefined)?.join(',') ?? '1,2'}`);
  return values;
}

/** The preset's values under the options a run set (already checked by the schema). */
export function detectionSettings(options: OptionValues): DetectionSettings {
  const preset = (options.preset ?? 'moco') as DetectionPreset;
  const o = { ...PRESET_VALUES[preset], ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Record<string, unknown>;
  const num = (key: string) => o[key] as number;
  const list = (key: string) => o[key] as number[];
  const iou = list('rpnIouThresholds');
  if (iou.length !== 2 || !(iou[0]! <= iou[1]!)) throw new UserError(`evaluator detection: rpnIouThresholds must be two numbers, low ≤ high, got [${iou.join(', ')}]`, 'pass e.g. rpnIouThresholds=0.3,0.7');
  const steps = list('lrSteps');
  if (steps.some((s, k) => !Number.isInteger(s) || s < 0 || (k > 0 && s < steps[k - 1]!))) throw new UserError(`evaluator detection: lrSteps must be increasing whole iterations, got [${steps.join(', ')}]`, 'pass e.g. lrSteps=18000,22000');
  const classes = String(o.classes ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  return {
    preset,
    voc: String(o.voc ?? ''),
    trainSets: String(o.trainSets),
    testSet: String(o.testSet),
    classes,
    maxTrainImages: num('maxTrainImages'),
    maxTestImages: num('maxTestImages'),
    solver: {
      iterations: num('iterations'),
      baseLr: num('lr'),
      steps,
      gamma: num('lrGamma'),
      warmupIterations: num('warmupIterations'),
      warmupFactor: num('warmupFactor'),
      momentum: num('momentum'),
      weightDecay: num('weightDecay'),
    },
    batchSize: num('batchSize'),
    trainMinSizes: positiveList(list('trainMinSizes'), 'trainMinSizes').map(Math.round),
    trainMaxSize: num('trainMaxSize'),
    testMinSize: num('testMinSize'),
    testMaxSize: num('testMaxSize'),
    flip: Boolean(o.flip),
    resetNorm: Boolean(o.resetNorm),
    preciseBnIterations: num('preciseBnIterations'),
    normalization: { mean: triple(list('pixelMean'), 'pixelMean'), std: triple(positiveList(list('pixelStd'), 'pixelStd'), 'pixelStd') },
    detector: {
      rpn: {
        anchorSizes: positiveList(list('anchorSizes'), 'anchorSizes'),
        aspectRatios: positiveList(list('anchorRatios'), 'anchorRatios'),
        iouThresholds: [iou[0]!, iou[1]!],
        batchSizePerImage: num('rpnBatchPerImage'),
        positiveFraction: num('rpnPositiveFraction'),
        preNmsTopKTrain: num('rpnPreNmsTrain'),
        postNmsTopKTrain: num('rpnPostNmsTrain'),
        preNmsTopKTest: num('rpnPreNmsTest'),
        postNmsTopKTest: num('rpnPostNmsTest'),
        nmsThreshold: num('rpnNmsThreshold'),
        smoothL1Beta: num('rpnSmoothL1Beta'),
      },
      roi: {
        batchSizePerImage: num('roiBatchPerImage'),
        positiveFraction: num('roiPositiveFraction'),
        iouThreshold: num('roiIouThreshold'),
        appendGroundTruth: true,
        poolerResolution: num('poolerResolution'),
        poolerSamplingRatio: num('poolerSamplingRatio'),
        smoothL1Beta: num('roiSmoothL1Beta'),
        scoreThreshold: num('scoreThreshold'),
        nmsThreshold: num('testNmsThreshold'),
        detectionsPerImage: num('detectionsPerImage'),
      },
    },
    testBatchSize: num('testBatchSize'),
    logEvery: num('logEvery'),
    resultsDir: String(o.resultsDir ?? ''),
  };
}

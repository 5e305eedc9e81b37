import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm, Linear, normalInit, type ParameterSet, type ResNet, type Rng } from '@sempair/core';
import { BoxCoder, ROI_BOX_WEIGHTS } from './box-coder.js';
import { clipBoxes, concatBoxes, pairwiseIou, selectBoxes } from './boxes.js';
import { maskedSmoothL1, softmaxCrossEntropy } from './losses.js';
import { Matcher } from './matcher.js';
import { batchedNms } from './nms.js';
import { planRoiAlign, roiAlign } from './roi-align.js';
import type { ImageSize, Proposals } from './rpn.js';
import { subsampleLabels } from './sampling.js';

/** detectron2's ROI_HEADS and ROI_BOX_HEAD settings for Res5ROIHeads. */
export interface RoiHeadsConfig {
  /** Foreground classes K; class index K is background (detectron2's convention). */
  classes: number;
  batchSizePerImage: number;
  positiveFraction: number;
  /** Proposals with IoU ≥ this are foreground. */
  iouThreshold: number;
  appendGroundTruth: boolean;
  poolerResolution: number;
  /** 0: adaptive (ROIAlignV2 default). */
  poolerSamplingRatio: number;
  smoothL1Beta: number;
  scoreThreshold: number;
  nmsThreshold: number;
  detectionsPerImage: number;
}

/** The sampled proposals of a batch, with their classification and regression targets. */
export interface SampledProposals {
  boxes: Float64Array;
  batchIndex: Int32Array;
  /** Ground-truth class per proposal; K for background. */
  classes: Int32Array;
  /** Deltas (weights 10, 10, 5, 5) from the proposal to its matched ground truth; 0 for background. */
  deltas: Float64Array;
  foreground: number;
}

/**
 * detectron2's ROIHeads.label_and_sample_proposals: the ground-truth boxes are appended to each
 * image's proposals, every proposal is matched (IoU ≥ 0.5 foreground, else background), and 512
 * are sampled per image with at most 25 % foreground.
 */
export function sampleProposals(
  proposals: readonly Proposals[],
  gtBoxes: readonly Float64Array[],
  gtClasses: readonly Int32Array[],
  config: RoiHeadsConfig,
  rng: Rng,
  coder = new BoxCoder(ROI_BOX_WEIGHTS),
): SampledProposals {
  const matcher = new Matcher([config.iouThreshold], [0, 1], false);
  const boxes: number[] = [];
  const batchIndex: number[] = [];
  const classes: number[] = [];
  const deltas: number[] = [];
  let foreground = 0;
  proposals.forEach((p, i) => {
    const gt = gtBoxes[i]!;
    const candidates = config.appendGroundTruth ? concatBoxes(p.boxes, gt) : p.boxes;
    const count = candidates.length >> 2;
    const gtCount = gt.length >> 2;
    const { matches, labels } = matcher.match(pairwiseIou(gt, candidates), gtCount, count);
    const target = Int32Array.from({ length: count }, (_, k) => (gtCount > 0 && labels[k] === 1 ? gtClasses[i]![matches[k]!]! : config.classes));
    const { positive, negative } = subsampleLabels(target, config.batchSizePerImage, config.positiveFraction, config.classes, rng.derive('image', i));
    foreground += positive.length;
    const fgDeltas = coder.encode(selectBoxes(candidates, positive), selectBoxes(gt, Int32Array.from(positive, (k) => matches[k]!)));
    for (const [j, k] of [...positive, ...negative].entries()) {
      for (let c = 0; c < 4; c++) {
        boxes.push(candidates[4 * k + c]!);
        deltas.push(j < positive.length ? fgDeltas[4 * j + c]! : 0);
      }
      batchIndex.push(i);
      classes.push(target[k]!);
    }
  });
  return { boxes: Float64Array.from(boxes), batchIndex: Int32Array.from(batchIndex), classes: Int32Array.from(classes), deltas: Float64Array.from(deltas), foreground };
}

/** One detection in the resized image's coordinates. */
export interface Detection {
  box: [number, number, number, number];
  score: number;
  classIndex: number;
}

/**
 * Res5ROIHeads with MoCo's extra norm (Res5ROIHeadsExtraNorm): RoIAlign of the stride-s trunk
 * features to poolerResolution², the backbone's own res5 stage (layer4, stride 2) on every ROI,
 * a batch norm after res5, average pooling, then FastRCNNOutputLayers: K+1 class logits
 * (N(0, 0.01²)) and class-specific deltas 4K (N(0, 0.001²)), biases 0.
 */
export class Res5RoiHeads {
  private readonly norm: BatchNorm;
  private readonly clsScore: Linear;
  private readonly bboxPred: Linear;
  readonly coder = new BoxCoder(ROI_BOX_WEIGHTS);

  constructor(
    private readonly resnet: ResNet,
    params: ParameterSet,
    readonly config: RoiHeadsConfig,
    readonly stride: number,
    rng: Rng,
  ) {
    const channels = resnet.stageChannels.layer4;
    this.norm = new BatchNorm(params, 'res5_norm', channels);
    this.clsScore = new Linear(params, 'box_predictor.cls_score', channels, config.classes + 1, rng);
    this.bboxPred = new Linear(params, 'box_predictor.bbox_pred', channels, config.classes * 4, rng);
    tf.tidy(() => {
      for (const [layer, std] of [[this.clsScore, 0.01], [this.bboxPred, 0.001]] as const) {
        layer.weight.assign(normalInit(layer.weight.shape, std, rng));
        layer.bias!.assign(tf.zerosLike(layer.bias!));
      }
    });
  }

  /** Class logits [R, K+1] and deltas [R, 4K] of boxes on the trunk features. */
  forward(features: tf.Tensor4D, boxes: Float64Array, batchIndex: Int32Array, training: boolean): { logits: tf.Tensor2D; deltas: tf.Tensor2D } {
    const [n, h, w] = features.shape;
    const plan = planRoiAlign(boxes, batchIndex, [n, h, w], {
      outputSize: this.config.poolerResolution,
      spatialScale: 1 / this.stride,
      samplingRatio: this.config.poolerSamplingRatio,
      aligned: true,
    });
    return tf.tidy(() => {
      const pooled = roiAlign(features, plan);
      const res5 = this.norm.apply(this.resnet.forwardStages(pooled, training, 'layer4', 'layer4'), training);
      const feature = tf.mean(res5, [1, 2]) as tf.Tensor2D;
      return { logits: this.clsScore.apply(feature), deltas: this.bboxPred.apply(feature) };
    });
  }

  /**
   * FastRCNNOutputLayers.losses: mean cross-entropy over the sampled proposals, and smooth-L1 on
   * the deltas of each foreground proposal's own class, summed and divided by all proposals.
   */
  losses(logits: tf.Tensor2D, deltas: tf.Tensor2D, sampled: SampledProposals): { cls: tf.Scalar; loc: tf.Scalar } {
    const rows = sampled.classes.length;
    const k = this.config.classes;
    const oneHot = new Float32Array(rows * (k + 1));
    const mask = new Float32Array(rows * k * 4);
    const target = new Float32Array(rows * k * 4);
    sampled.classes.forEach((c, r) => {
      oneHot[r * (k + 1) + c] = 1;
      if (c === k) return;
      for (let j = 0; j < 4; j++) {
        mask[(r * k + c) * 4 + j] = 1;
        target[(r * k + c) * 4 + j] = sampled.deltas[4 * r + j]!;
      }
    });
    return tf.tidy(() => ({
      cls: softmaxCrossEntropy(logits, tf.tensor2d(oneHot, [rows, k + 1])),
      loc: tf.div(maskedSmoothL1(deltas, tf.tensor2d(target, [rows, k * 4]), tf.tensor2d(mask, [rows, k * 4]), this.config.smoothL1Beta), Math.max(rows, 1)) as tf.Scalar,
    }));
  }

  /**
   * fast_rcnn_inference for one image: softmax scores, class-specific boxes decoded from the
   * proposals and clipped to the image, (box, class) pairs scoring above scoreThreshold, NMS per
   * class, the best detectionsPerImage.
   */
  inference(logits: Float32Array, deltas: Float32Array, proposals: Float64Array, size: ImageSize): Detection[] {
    const k = this.config.classes;
    const rows = proposals.length >> 2;
    const boxes = clipBoxes(this.coder.decode(deltas, proposals, k), size.height, size.width);
    const candidates: number[] = [];
    const scores: number[] = [];
    const categories: number[] = [];
    for (let r = 0; r < rows; r++) {
      const row = logits.subarray(r * (k + 1), (r + 1) * (k + 1));
      // Rows with a non-finite score or box are dropped, as detectron2's valid_mask does.
      if (!row.every(Number.isFinite) || !boxes.subarray(r * k * 4, (r + 1) * k * 4).every(Number.isFinite)) continue;
      let max = -Infinity;
      for (const v of row) max = Math.max(max, v);
      let sum = 0;
      for (const v of row) sum += Math.exp(v - max);
      for (let c = 0; c < k; c++) {
        const score = Math.exp(row[c]! - max) / sum;
        if (score > this.config.scoreThreshold) {
          candidates.push(r * k + c);
          scores.push(score);
          categories.push(c);
        }
      }
    }
    const candidateBoxes = selectBoxes(boxes, candidates);
    const keep = batchedNms(candidateBoxes, scores, categories, this.config.nmsThreshold).subarray(0, this.config.detectionsPerImage);
    return Array.from(keep, (j) => ({
      box: [candidateBoxes[4 * j]!, candidateBoxes[4 * j + 1]!, candidateBoxes[4 * j + 2]!, candidateBoxes[4 * j + 3]!],
      score: scores[j]!,
      classIndex: categories[j]!,
    }));
  }
}

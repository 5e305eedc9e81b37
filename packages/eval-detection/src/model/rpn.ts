import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, normalInit, type ParameterSet, type Rng } from '@sempair/core';
import { BoxCoder, RPN_BOX_WEIGHTS } from './box-coder.js';
import { boxNonEmpty, clipBoxes, pairwiseIou, selectBoxes } from './boxes.js';
import { maskedSigmoidCrossEntropy, maskedSmoothL1 } from './losses.js';
import { Matcher } from './matcher.js';
import { argsortDescending, nms } from './nms.js';
import { subsampleLabels } from './sampling.js';

/** detectron2's RPN settings (MODEL.RPN and MODEL.ANCHOR_GENERATOR). */
export interface RpnConfig {
  anchorSizes: readonly number[];
  aspectRatios: readonly number[];
  /** Anchors labelled negative below iouThresholds[0], positive from iouThresholds[1]. */
  iouThresholds: readonly [number, number];
  batchSizePerImage: number;
  positiveFraction: number;
  preNmsTopKTrain: number;
  postNmsTopKTrain: number;
  preNmsTopKTest: number;
  postNmsTopKTest: number;
  nmsThreshold: number;
  /** Smooth-L1 β of the anchor regression (0 = L1). */
  smoothL1Beta: number;
}

/** Size of an image inside a padded batch (the part proposals are clipped to). */
export interface ImageSize {
  height: number;
  width: number;
}

/**
 * StandardRPNHead: a 3×3 conv (as many channels as the feature map) + ReLU, then 1×1 convs for
 * one objectness logit and four deltas per anchor. Weights N(0, 0.01²), biases 0, as detectron2.
 * Outputs stay NHWC: objectness [N, H, W, A], deltas [N, H, W, A·4] (anchor-major, then dx…dh).
 */
export class RpnHead {
  private readonly conv: Conv2d;
  private readonly objectness: Conv2d;
  private readonly deltas: Conv2d;

  constructor(params: ParameterSet, channels: number, readonly anchorsPerCell: number, rng: Rng) {
    this.conv = new Conv2d(params, 'conv', channels, channels, 3, rng, { padding: 1, bias: true });
    this.objectness = new Conv2d(params, 'objectness_logits', channels, anchorsPerCell, 1, rng, { padding: 0, bias: true });
    this.deltas = new Conv2d(params, 'anchor_deltas', channels, anchorsPerCell * 4, 1, rng, { padding: 0, bias: true });
    // Inside tidy: assign shares the new tensor's data, the temporaries must still be disposed.
    tf.tidy(() => {
      for (const layer of [this.conv, this.objectness, this.deltas]) {
        layer.weight.assign(normalInit(layer.weight.shape, 0.01, rng));
        layer.bias!.assign(tf.zerosLike(layer.bias!));
      }
    });
  }

  apply(features: tf.Tensor4D): { objectness: tf.Tensor4D; deltas: tf.Tensor4D } {
    return tf.tidy(() => {
      const h = tf.relu(this.conv.apply(features));
      return { objectness: this.objectness.apply(h), deltas: this.deltas.apply(h) };
    });
  }
}

/** Proposals of one image: boxes (n×4) by decreasing objectness, and their logits. */
export interface Proposals {
  boxes: Float64Array;
  logits: Float64Array;
}

/**
 * detectron2's find_top_rpn_proposals for one feature level: per image, the `preNms` anchors
 * with the highest objectness, decoded, clipped to the image, empty boxes dropped, NMS at
 * `nmsThreshold`, the best `postNms` kept. `objectness` is [N·anchors] and `deltas`
 * [N·anchors·4] (image-major), read back from the head.
 */
export function selectProposals(
  anchors: Float64Array,
  objectness: ArrayLike<number>,
  deltas: ArrayLike<number>,
  sizes: readonly ImageSize[],
  preNms: number,
  postNms: number,
  nmsThreshold: number,
  coder = new BoxCoder(RPN_BOX_WEIGHTS),
): Proposals[] {
  const perImage = anchors.length >> 2;
  return sizes.map((size, n) => {
    const logits = Float64Array.from({ length: perImage }, (_, a) => objectness[n * perImage + a]!);
    const top = argsortDescending(logits).subarray(0, Math.min(preNms, perImage));
    const d = new Float64Array(top.length * 4);
    top.forEach((a, k) => {
      for (let c = 0; c < 4; c++) d[4 * k + c] = deltas[(n * perImage + a) * 4 + c]!;
    });
    const boxes = clipBoxes(coder.decode(d, selectBoxes(anchors, top)), size.height, size.width);
    const scores = Float64Array.from(top, (a) => logits[a]!);
    for (let k = 0; k < top.length; k++) {
      if (!Number.isFinite(scores[k]!) || !boxes.subarray(4 * k, 4 * k + 4).every(Number.isFinite)) {
        throw new FloatingPointError('predicted RPN boxes or scores contain Inf/NaN: training has diverged');
      }
    }
    const valid: number[] = [];
    for (let k = 0; k < top.length; k++) if (boxNonEmpty(boxes, k)) valid.push(k);
    const keep = nms(boxes, scores, nmsThreshold, postNms, valid);
    return { boxes: selectBoxes(boxes, keep), logits: Float64Array.from(keep, (k) => scores[k]!) };
  });
}

/** A diverged training (non-finite predictions); the trainer turns it into a clear message. */
export class FloatingPointError extends Error {
  override readonly name = 'FloatingPointError';
}

/** Per-anchor training targets of a batch: labels 1 / 0 / −1 (ignored) and regression deltas. */
export interface RpnTargets {
  /** [N·anchors]: 1 for sampled positives, else 0. */
  labels: Float32Array;
  /** [N·anchors]: 1 for sampled anchors (positive or negative). */
  sampled: Float32Array;
  /** [N·anchors·4]: 1 on the four deltas of sampled positives. */
  positive: Float32Array;
  /** [N·anchors·4]: deltas from each anchor to its matched ground truth (0 where unused). */
  deltas: Float32Array;
  positives: number;
  negatives: number;
}

/**
 * detectron2's RPN.label_and_sample_anchors: every anchor is matched to the ground truth it
 * overlaps most (IoU ≥ 0.7 positive, < 0.3 negative, in between ignored, plus every anchor that
 * is the best for some ground truth), then 256 per image are sampled, at most half positive.
 * All anchors are kept, including those crossing the image border (BOUNDARY_THRESH −1).
 */
export function rpnTargets(anchors: Float64Array, gtBoxes: readonly Float64Array[], config: RpnConfig, rng: Rng, coder = new BoxCoder(RPN_BOX_WEIGHTS)): RpnTargets {
  const perImage = anchors.length >> 2;
  const n = gtBoxes.length;
  const labels = new Float32Array(n * perImage);
  const sampled = new Float32Array(n * perImage);
  const positive = new Float32Array(n * perImage * 4);
  const deltas = new Float32Array(n * perImage * 4);
  const matcher = new Matcher(config.iouThresholds, [0, -1, 1], true);
  let positives = 0;
  let negatives = 0;
  gtBoxes.forEach((gt, i) => {
    const gtCount = gt.length >> 2;
    const { matches, labels: matchLabels } = matcher.match(pairwiseIou(gt, anchors), gtCount, perImage);
    const { positive: pos, negative: neg } = subsampleLabels(matchLabels, config.batchSizePerImage, config.positiveFraction, 0, rng.derive('image', i));
    positives += pos.length;
    negatives += neg.length;
    for (const a of neg) sampled[i * perImage + a] = 1;
    if (pos.length === 0) return;
    const targets = coder.encode(selectBoxes(anchors, pos), selectBoxes(gt, Int32Array.from(pos, (a) => matches[a]!)));
    pos.forEach((a, k) => {
      const row = i * perImage + a;
      labels[row] = 1;
      sampled[row] = 1;
      for (let c = 0; c < 4; c++) {
        positive[row * 4 + c] = 1;
        deltas[row * 4 + c] = targets[4 * k + c]!;
      }
    });
  });
  return { labels, sampled, positive, deltas, positives, negatives };
}

/**
 * detectron2's RPN.losses: binary cross-entropy over the sampled anchors and smooth-L1 over the
 * positives' deltas, both summed and divided by batchSizePerImage · images (not by the number
 * actually sampled).
 */
export function rpnLosses(objectness: tf.Tensor4D, deltas: tf.Tensor4D, targets: RpnTargets, config: RpnConfig): { cls: tf.Scalar; loc: tf.Scalar } {
  return tf.tidy(() => {
    const normalizer = config.batchSizePerImage * objectness.shape[0];
    const cls = maskedSigmoidCrossEntropy(objectness.reshape([-1]), tf.tensor1d(targets.labels), tf.tensor1d(targets.sampled));
    const loc = maskedSmoothL1(deltas.reshape([-1]), tf.tensor1d(targets.deltas), tf.tensor1d(targets.positive), config.smoothL1Beta);
    return { cls: tf.div(cls, normalizer) as tf.Scalar, loc: tf.div(loc, normalizer) as tf.Scalar };
  });
}

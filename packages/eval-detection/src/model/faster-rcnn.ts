import * as tf from '@tensorflow/tfjs-core';
import { ParameterSet, type Parameter, type ResNet, type Rng } from '@sempair/core';
import { cellAnchors, gridAnchors } from './anchors.js';
import { Res5RoiHeads, sampleProposals, type Detection, type RoiHeadsConfig } from './roi-heads.js';
import { RpnHead, rpnLosses, rpnTargets, selectProposals, type ImageSize, type RpnConfig } from './rpn.js';

export interface DetectorConfig {
  rpn: RpnConfig;
  roi: RoiHeadsConfig;
}

/** Ground truth of a batch, in the coordinates of the (resized, flipped) batch images. */
export interface BatchTargets {
  sizes: ImageSize[];
  /** Per image n×4 boxes [x1, y1, x2, y2]. */
  boxes: Float64Array[];
  /** Per image n class indexes in 0..K−1. */
  classes: Int32Array[];
}

export const LOSS_NAMES = ['loss_rpn_cls', 'loss_rpn_loc', 'loss_cls', 'loss_box_reg'] as const;
export type LossName = (typeof LOSS_NAMES)[number];

export interface DetectorLosses {
  losses: Record<LossName, tf.Scalar>;
  /** Sampled anchors and proposals, for the training log. */
  stats: { rpnPositives: number; rpnNegatives: number; roiForeground: number; roiSampled: number };
}

/** Total stride of stem..layer3: 16 with the ImageNet stem (7×7/2 + max-pool), 4 with the CIFAR stem. */
export function trunkStride(resnet: ResNet): number {
  return (resnet.config.cifarStem ? 1 : 4) * 4;
}

/**
 * Faster R-CNN with a ResNet C4 backbone, as detectron2's GeneralizedRCNN with
 * Res5ROIHeads(ExtraNorm): stem..layer3 (res2–res4) is the shared trunk, its stride-16 map feeds
 * the RPN and RoIAlign, and layer4 (res5) is the per-ROI box head. The ResNet is the
 * pre-trained backbone itself (trained in place); the RPN and the box predictor are new
 * parameters under scope `detector`.
 */
export class FasterRcnn {
  readonly params = new ParameterSet('detector');
  readonly stride: number;
  readonly rpnHead: RpnHead;
  readonly roiHeads: Res5RoiHeads;
  private readonly cell: Float64Array;
  private readonly anchorCache = new Map<string, Float64Array>();

  constructor(
    readonly backbone: ResNet,
    readonly config: DetectorConfig,
    rng: Rng,
  ) {
    this.stride = trunkStride(backbone);
    this.cell = cellAnchors(config.rpn.anchorSizes, config.rpn.aspectRatios);
    this.rpnHead = new RpnHead(this.params.scope('rpn'), backbone.stageChannels.layer3, this.cell.length >> 2, rng.derive('rpn'));
    this.roiHeads = new Res5RoiHeads(backbone, this.params.scope('roi_heads'), config.roi, this.stride, rng.derive('roi_heads'));
  }

  /** The backbone's and the heads' trainable parameters (nothing is frozen, as MoCo's recipe). */
  trainable(): Parameter[] {
    return [...this.backbone.params.trainable(), ...this.params.trainable()];
  }

  /** Anchors of a feature map of height × width (cached: batches repeat a few sizes). */
  anchors(height: number, width: number): Float64Array {
    const key = `${height}x${width}`;
    let anchors = this.anchorCache.get(key);
    if (!anchors) {
      anchors = gridAnchors(this.cell, height, width, this.stride);
      this.anchorCache.set(key, anchors);
    }
    return anchors;
  }

  /**
   * The four training losses of a batch (call inside tf.variableGrads). Proposals are chosen from
   * the RPN's current predictions read back to JS (no gradient flows through them, as in
   * detectron2); the random anchor and proposal sampling draws from `rng`.
   */
  losses(images: tf.Tensor4D, targets: BatchTargets, rng: Rng): DetectorLosses {
    const { rpn, roi } = this.config;
    const features = this.backbone.forwardStages(images, true, 'stem', 'layer3');
    const [, fh, fw] = features.shape;
    const head = this.rpnHead.apply(features);
    const anchors = this.anchors(fh, fw);
    const proposals = selectProposals(anchors, head.objectness.dataSync(), head.deltas.dataSync(), targets.sizes, rpn.preNmsTopKTrain, rpn.postNmsTopKTrain, rpn.nmsThreshold);
    const anchorTargets = rpnTargets(anchors, targets.boxes, rpn, rng.derive('anchors'));
    const rpnLoss = rpnLosses(head.objectness, head.deltas, anchorTargets, rpn);
    const sampled = sampleProposals(proposals, targets.boxes, targets.classes, roi, rng.derive('proposals'));
    const out = this.roiHeads.forward(features, sampled.boxes, sampled.batchIndex, true);
    const roiLoss = this.roiHeads.losses(out.logits, out.deltas, sampled);
    return {
      losses: { loss_rpn_cls: rpnLoss.cls, loss_rpn_loc: rpnLoss.loc, loss_cls: roiLoss.cls, loss_box_reg: roiLoss.loc },
      stats: {
        rpnPositives: anchorTargets.positives,
        rpnNegatives: anchorTargets.negatives,
        roiForeground: sampled.foreground,
        roiSampled: sampled.classes.length,
      },
    };
  }

  /**
   * Inference (batch norm on running statistics): RPN proposals with the test top-k, the box head
   * on all of them, and per-class NMS. Detections are in the coordinates of `images`; `sizes`
   * gives each image's own extent inside the (padded) batch.
   */
  predict(images: tf.Tensor4D, sizes: readonly ImageSize[]): Detection[][] {
    const { rpn } = this.config;
    const features = tf.tidy(() => this.backbone.forwardStages(images, false, 'stem', 'layer3'));
    try {
      const [, fh, fw] = features.shape;
      const head = this.rpnHead.apply(features);
      const objectness = head.objectness.dataSync();
      const deltas = head.deltas.dataSync();
      tf.dispose([head.objectness, head.deltas]);
      const proposals = selectProposals(this.anchors(fh, fw), objectness, deltas, sizes, rpn.preNmsTopKTest, rpn.postNmsTopKTest, rpn.nmsThreshold);
      const boxes = proposals.map((p) => p.boxes);
      if (boxes.every((b) => b.length === 0)) return boxes.map(() => []);
      const batchIndex = Int32Array.from(boxes.flatMap((b, i) => Array.from({ length: b.length >> 2 }, () => i)));
      const all = new Float64Array(boxes.reduce((n, b) => n + b.length, 0));
      let offset = 0;
      for (const b of boxes) {
        all.set(b, offset);
        offset += b.length;
      }
      const out = this.roiHeads.forward(features, all, batchIndex, false);
      const logits = out.logits.dataSync() as Float32Array;
      const boxDeltas = out.deltas.dataSync() as Float32Array;
      tf.dispose([out.logits, out.deltas]);
      const k = this.config.roi.classes;
      let row = 0;
      return boxes.map((b, i) => {
        const n = b.length >> 2;
        const detections = this.roiHeads.inference(logits.subarray(row * (k + 1), (row + n) * (k + 1)), boxDeltas.subarray(row * 4 * k, (row + n) * 4 * k), b, sizes[i]!);
        row += n;
        return detections;
      });
    } finally {
      features.dispose();
    }
  }

  dispose(): void {
    this.params.dispose();
  }
}

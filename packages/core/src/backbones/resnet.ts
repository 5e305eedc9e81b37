import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm } from '../nn/batch-norm.js';
import { Conv2d } from '../nn/conv2d.js';
import type { ParameterSet } from '../nn/parameters.js';
import type { Rng } from '../rng.js';
import type { Backbone } from './backbone.js';

/**
 * ResNet v1.5 as torchvision builds it (stride on the 3×3 convolution of a bottleneck), with
 * torchvision's parameter names so weights can be compared with, and renamed to, PyTorch and
 * detectron2 checkpoints. NHWC throughout.
 */

export type ResNetBlockKind = 'basic' | 'bottleneck';

export interface ResNetConfig {
  block: ResNetBlockKind;
  /** Blocks per stage, e.g. [2, 2, 2, 2] for ResNet-18. */
  layers: readonly [number, number, number, number];
  /** Channels of the stem and first stage; stages use w, 2w, 4w, 8w (×4 out for bottlenecks). */
  width: number;
  /** 3×3 stride-1 stem conv and no max-pool (solo-learn's CIFAR variant) instead of 7×7/2 + max-pool. */
  cifarStem: boolean;
  /** Start the last BN of every block at γ = 0, so each block begins as the identity. */
  zeroInitResidual: boolean;
  inChannels: number;
}

export const RESNET_STAGES = ['stem', 'layer1', 'layer2', 'layer3', 'layer4'] as const;
export type ResNetStage = (typeof RESNET_STAGES)[number];

interface Block {
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

/** The downsample branch `downsample.0` (1×1 conv) + `downsample.1` (BN) when shapes change. */
class Downsample {
  private readonly conv: Conv2d;
  private readonly bn: BatchNorm;
  constructor(params: ParameterSet, name: string, inC: number, outC: number, stride: number, rng: Rng) {
    this.conv = new Conv2d(params, `${name}.0`, inC, outC, 1, rng, { stride, padding: 0 });
    this.bn = new BatchNorm(params, `${name}.1`, outC);
  }
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return this.bn.apply(this.conv.apply(x), training);
  }
}

/** conv3×3(stride) → BN → ReLU → conv3×3 → BN, + shortcut, ReLU. Expansion 1. */
class BasicBlock implements Block {
  static readonly expansion = 1;
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm;
  private readonly downsample: Downsample | undefined;

  constructor(params: ParameterSet, name: string, inC: number, planes: number, stride: number, rng: Rng, zeroInit: boolean) {
    this.conv1 = new Conv2d(params, `${name}.conv1`, inC, planes, 3, rng, { stride, padding: 1 });
    this.bn1 = new BatchNorm(params, `${name}.bn1`, planes);
    this.conv2 = new Conv2d(params, `${name}.conv2`, planes, planes, 3, rng, { padding: 1 });
    this.bn2 = new BatchNorm(params, `${name}.bn2`, planes);
    if (zeroInit) this.bn2.gamma!.assign(tf.zerosLike(this.bn2.gamma!));
    this.downsample = stride !== 1 || inC !== planes ? new Downsample(params, `${name}.downsample`, inC, planes, stride, rng) : undefined;
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let out = tf.relu(this.bn1.apply(this.conv1.apply(x), training));
      out = this.bn2.apply(this.conv2.apply(out), training);
      const identity = this.downsample ? this.downsample.apply(x, training) : x;
      return tf.relu(tf.add(out, identity)) as tf.Tensor4D;
    });
  }
}

/** 1×1 → BN → ReLU → 3×3(stride) → BN → ReLU → 1×1 (×4) → BN, + shortcut, ReLU. Expansion 4. */
class Bottleneck implements Block {
  static readonly expansion = 4;
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm;
  private readonly conv3: Conv2d;
  private readonly bn3: BatchNorm;
  private readonly downsample: Downsample | undefined;

  constructor(params: ParameterSet, name: string, inC: number, planes: number, stride: number, rng: Rng, zeroInit: boolean) {
    const outC = planes * Bottleneck.expansion;
    this.conv1 = new Conv2d(params, `${name}.conv1`, inC, planes, 1, rng, { padding: 0 });
    this.bn1 = new BatchNorm(params, `${name}.bn1`, planes);
    this.conv2 = new Conv2d(params, `${name}.conv2`, planes, planes, 3, rng, { stride, padding: 1 });
    this.bn2 = new BatchNorm(params, `${name}.bn2`, planes);
    this.conv3 = new Conv2d(params, `${name}.conv3`, planes, outC, 1, rng, { padding: 0 });
    this.bn3 = new BatchNorm(params, `${name}.bn3`, outC);
    if (zeroInit) this.bn3.gamma!.assign(tf.zerosLike(this.bn3.gamma!));
    this.downsample = stride !== 1 || inC !== outC ? new Downsample(params, `${name}.downsample`, inC, outC, stride, rng) : undefined;
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let out = tf.relu(this.bn1.apply(this.conv1.apply(x), training));
      out = tf.relu(this.bn2.apply(this.conv2.apply(out), training));
      out = this.bn3.apply(this.conv3.apply(out), training);
      const identity = this.downsample ? this.downsample.apply(x, training) : x;
      return tf.relu(tf.add(out, identity)) as tf.Tensor4D;
    });
  }
}

export class ResNet implements Backbone {
  readonly featureDim: number;
  /** Output channels after each stage, for heads that tap intermediate maps (detection C4). */
  readonly stageChannels: Readonly<Record<ResNetStage, number>>;
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm;
  private readonly stages: Block[][] = [];

  constructor(
    readonly id: string,
    readonly params: ParameterSet,
    readonly config: ResNetConfig,
    rng: Rng,
  ) {
    const { width, cifarStem } = config;
    const Kind = config.block === 'basic' ? BasicBlock : Bottleneck;
    this.conv1 = cifarStem
      ? new Conv2d(params, 'conv1', config.inChannels, width, 3, rng, { stride: 1, padding: 1 })
      : new Conv2d(params, 'conv1', config.inChannels, width, 7, rng, { stride: 2, padding: 3 });
    this.bn1 = new BatchNorm(params, 'bn1', width);
    let inC = width;
    const channels: number[] = [width];
    config.layers.forEach((blocks, s) => {
      const planes = width * 2 ** s;
      const stage: Block[] = [];
      for (let b = 0; b < blocks; b++) {
        const stride = s > 0 && b === 0 ? 2 : 1;
        stage.push(new Kind(params, `layer${s + 1}.${b}`, inC, planes, stride, rng, config.zeroInitResidual));
        inC = planes * Kind.expansion;
      }
      this.stages.push(stage);
      channels.push(inC);
    });
    this.featureDim = inC;
    this.stageChannels = Object.fromEntries(RESNET_STAGES.map((s, i) => [s, channels[i]!])) as Record<ResNetStage, number>;
  }

  /**
   * Runs the stages `from`..`to` inclusive on a map that is the input of `from`
   * (images for 'stem'). Detection runs stem..layer3 on the image and layer4 on ROI features.
   */
  forwardStages(x: tf.Tensor4D, training: boolean, from: ResNetStage = 'stem', to: ResNetStage = 'layer4'): tf.Tensor4D {
    const first = RESNET_STAGES.indexOf(from);
    const last = RESNET_STAGES.indexOf(to);
    if (first > last) throw new Error(`forwardStages: stage ${from} comes after ${to}`);
    return tf.tidy(() => {
      let h = x;
      for (let i = first; i <= last; i++) {
        if (i === 0) h = this.stem(h, training);
        else for (const block of this.stages[i - 1]!) h = block.apply(h, training);
      }
      return h;
    });
  }

  /** Images [B, H, W, C] → globally average-pooled features [B, featureDim]. */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    return tf.tidy(() => tf.mean(this.forwardStages(x, training), [1, 2]) as tf.Tensor2D);
  }

  private stem(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const h = tf.relu(this.bn1.apply(this.conv1.apply(x), training));
    // 3×3/2 max-pool with one pixel of padding; tfjs pads pools with −∞ like PyTorch.
    return this.config.cifarStem ? h : tf.maxPool(h, 3, 2, 1);
  }
}

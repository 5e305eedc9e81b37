import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize, Linear, mlp, normalInit, type Mlp, type ParameterSet, type Rng } from '@sempair/core';
import { WeightNormLinear } from './weight-norm-linear.js';

/** DINO head sizes (REFERENCE.md: hidden 2048, bottleneck 256, 4096 prototypes). */
export interface DinoHeadOptions {
  hiddenDim: number;
  bottleneckDim: number;
  numPrototypes: number;
  /** Hold the last layer's weight norm g at 1 (prototypes stay unit vectors). */
  normLastLayer: boolean;
  /** Batch norm after each hidden Linear (DINO's `use_bn_in_head`; off in REFERENCE.md's head). */
  batchNorm?: boolean;
}

export const dinoHeadDefaults: DinoHeadOptions = { hiddenDim: 2048, bottleneckDim: 256, numPrototypes: 4096, normLastLayer: true };

export interface DinoHeadOutput {
  /** L2-normalised bottleneck features [N, bottleneckDim] (what the collapse monitor watches). */
  embedding: tf.Tensor2D;
  /** Prototype scores [N, numPrototypes]. */
  logits: tf.Tensor2D;
}

/**
 * Lin→GELU→Lin→GELU→Lin (hidden, bottleneck), L2-normalise, weight-normalised
 * Lin(bottleneck→prototypes, no bias). Names follow DINO's DINOHead under `name`:
 * `mlp.0`, `mlp.2`, `mlp.4` (with batch norm: `mlp.0`, `mlp.3`, `mlp.6`), `last_layer.weight_v|weight_g`. As DINOHead._init_weights, the MLP's
 * weights start N(0, 0.02²) (timm's trunc_normal_ with bounds ±2, which never bind at this std)
 * and its biases 0; the last layer keeps nn.Linear's default.
 */
export class DinoHead {
  readonly mlp: Mlp;
  readonly lastLayer: WeightNormLinear;

  constructor(params: ParameterSet, name: string, inDim: number, opts: DinoHeadOptions, rng: Rng) {
    const scope = params.scope(name);
    this.mlp = mlp(scope, 'mlp', [inDim, opts.hiddenDim, opts.hiddenDim, opts.bottleneckDim], rng.derive('mlp'), {
      activation: 'gelu',
      batchNorm: opts.batchNorm ?? false,
    });
    this.mlp.layers.forEach((layer, i) => {
      if (!(layer instanceof Linear)) return;
      const weight = normalInit(layer.weight.shape, 0.02, rng.derive('init', i));
      layer.weight.assign(weight);
      weight.dispose();
      if (layer.bias) tf.tidy(() => layer.bias!.assign(tf.zerosLike(layer.bias!)));
    });
    this.lastLayer = new WeightNormLinear(scope, 'last_layer', opts.bottleneckDim, opts.numPrototypes, rng.derive('last_layer'), {
      trainableNorm: !opts.normLastLayer,
    });
  }

  apply(features: tf.Tensor2D, training: boolean): DinoHeadOutput {
    return tf.tidy(() => {
      const embedding = l2Normalize(this.mlp.apply(features, training));
      return { embedding, logits: this.lastLayer.apply(embedding) };
    });
  }
}

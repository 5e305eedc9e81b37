import * as tf from '@tensorflow/tfjs-core';
import { LayerNorm } from '../nn/layer-norm.js';
import type { ParameterSet } from '../nn/parameters.js';
import type { Rng } from '../rng.js';
import type { Backbone } from './backbone.js';
import { posEmbedResizeMatrix, type PatchGrid } from './pos-embed-interpolation.js';
import { VitBlock } from './vit-block.js';
import { truncatedNormalInit, VIT_INIT_STD } from './vit-init.js';
import { PatchEmbed, patchGrid } from './vit-patch-embed.js';

/**
 * Vision Transformer as DINO's `vision_transformer.py` (and timm) builds it, without the
 * classifier head, with their parameter names and registration order: `cls_token`,
 * `pos_embed`, `patch_embed.proj.*`, `blocks.<i>.*`, `norm.*`, so weights map 1:1 to a
 * PyTorch state dict (Linear weights and the patch filter are stored transposed; see Linear
 * and PatchEmbed). The feature is the CLS token after the final norm.
 */

export interface VitConfig {
  embedDim: number;
  depth: number;
  heads: number;
  patchSize: number;
  /** MLP hidden width = mlpRatio·embedDim (4 in every standard ViT). */
  mlpRatio: number;
  /** LayerNorm epsilon (1e-6 in DINO and timm). */
  layerNormEpsilon: number;
  inChannels: number;
  /** Image size [H, W] the position embeddings are built for; other sizes interpolate them. */
  imageSize: readonly [number, number];
}

export class VisionTransformer implements Backbone {
  readonly featureDim: number;
  /** Patch grid the position embeddings were built for. */
  readonly grid: PatchGrid;
  readonly patchEmbed: PatchEmbed;
  readonly clsToken: tf.Variable;
  readonly posEmbed: tf.Variable;
  readonly blocks: VitBlock[] = [];
  readonly norm: LayerNorm;

  constructor(
    readonly id: string,
    readonly params: ParameterSet,
    readonly config: VitConfig,
    rng: Rng,
  ) {
    const { embedDim: dim, patchSize, inChannels } = config;
    // Validates the image size before anything is drawn.
    this.grid = patchGrid(config.imageSize[0], config.imageSize[1], patchSize);
    // Registered in timm's state-dict order.
    this.clsToken = params.add('cls_token', truncatedNormalInit([1, 1, dim], VIT_INIT_STD, rng), 'weight');
    const tokens = 1 + this.grid[0] * this.grid[1];
    this.posEmbed = params.add('pos_embed', truncatedNormalInit([1, tokens, dim], VIT_INIT_STD, rng), 'weight');
    this.patchEmbed = new PatchEmbed(params, 'patch_embed.proj', patchSize, inChannels, dim, rng);
    for (let i = 0; i < config.depth; i++) {
      this.blocks.push(new VitBlock(params, `blocks.${i}`, dim, config.heads, config.mlpRatio, config.layerNormEpsilon, rng));
    }
    this.norm = new LayerNorm(params, 'norm', dim, { epsilon: config.layerNormEpsilon });
    this.featureDim = dim;
  }

  /**
   * Images [B, H, W, C] → tokens [B, 1 + N, D] after the last block (before the final norm):
   * CLS first, then the patches in raster order.
   */
  forwardTokens(x: tf.Tensor4D): tf.Tensor3D {
    return tf.tidy(() => {
      const patches = this.patchEmbed.apply(x);
      const [batch, , dim] = patches.shape;
      const grid = patchGrid(x.shape[1], x.shape[2], this.config.patchSize);
      const cls = tf.broadcastTo(this.clsToken, [batch, 1, dim]);
      let h = tf.add(tf.concat([cls, patches], 1), this.positionEmbedding(grid)) as tf.Tensor3D;
      for (const block of this.blocks) h = block.apply(h);
      return h;
    });
  }

  /** Images [B, H, W, C] → the CLS token after the final norm [B, D]. No dropout: `training` changes nothing. */
  apply(x: tf.Tensor4D, _training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      const h = this.forwardTokens(x);
      const [batch, , dim] = h.shape;
      // LayerNorm is per token, so normalising the CLS row alone gives the same feature.
      return this.norm.apply(tf.reshape(tf.slice(h, [0, 0, 0], [batch, 1, dim]), [batch, dim]) as tf.Tensor2D);
    });
  }

  /**
   * Position embeddings [1, 1 + rows·cols, D] for a patch grid: the `pos_embed` variable itself
   * for the grid it was built for (do not dispose it), else its patch rows resized bicubically
   * (the CLS row kept), as DINO's `interpolate_pos_encoding`.
   */
  positionEmbedding(grid: PatchGrid): tf.Tensor3D {
    const [rows, cols] = grid;
    if (rows === this.grid[0] && cols === this.grid[1]) return this.posEmbed as tf.Tensor3D;
    return tf.tidy(() => {
      const dim = this.config.embedDim;
      const n = this.grid[0] * this.grid[1];
      const table = tf.reshape(this.posEmbed, [1 + n, dim]);
      const clsPos = tf.slice(table, [0, 0], [1, dim]);
      const patchPos = tf.slice(table, [1, 0], [n, dim]) as tf.Tensor2D;
      const resize = tf.tensor2d(posEmbedResizeMatrix(this.grid, grid), [rows * cols, n]);
      return tf.reshape(tf.concat([clsPos, tf.matMul(resize, patchPos)], 0), [1, 1 + rows * cols, dim]) as tf.Tensor3D;
    });
  }
}

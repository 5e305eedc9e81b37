import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors.js';
import { denseMatMul } from '../nn/dense-matmul.js';
import { uniformInit } from '../nn/init.js';
import type { ParameterSet } from '../nn/parameters.js';
import type { Rng } from '../rng.js';
import type { PatchGrid } from './pos-embed-interpolation.js';

/**
 * `patch_embed.proj`: the ViT's patch-size convolution with stride = kernel = p, computed as
 * "cut the image into p×p patches, flatten each, one matMul" — the same numbers as the conv,
 * with no convolution kernel or conv gradient needed.
 *
 * `<name>.weight` is stored [p, p, C, D] (kh, kw, in, out), the layout of every convolution
 * filter here (tfjs' conv2d layout); PyTorch's [D, C, p, p] is its transpose(3, 2, 0, 1).
 * `<name>.bias` is [D]. Both start U(−1/√fan_in, 1/√fan_in), PyTorch's Conv2d default, which
 * DINO's `_init_weights` leaves in place.
 *
 * Like a strided conv, pixels past the last whole patch (H mod p rows, W mod p columns) are
 * dropped. Patches come out in raster order (row-major over the grid), as PyTorch's
 * `flatten(2)` of the conv output.
 */
export class PatchEmbed {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    params: ParameterSet,
    name: string,
    readonly patchSize: number,
    readonly inChannels: number,
    readonly dim: number,
    rng: Rng,
  ) {
    const fanIn = inChannels * patchSize * patchSize;
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = params.add(`${name}.weight`, uniformInit([patchSize, patchSize, inChannels, dim], bound, rng), 'weight');
    this.bias = params.add(`${name}.bias`, uniformInit([dim], bound, rng), 'bias');
  }

  /** Images [B, H, W, C] → patch tokens [B, rows·cols, D]. */
  apply(x: tf.Tensor4D): tf.Tensor3D {
    const [batch, height, width, channels] = x.shape;
    if (channels !== this.inChannels) {
      throw new Error(`patch embedding for ${this.inChannels} channels got input shape [${x.shape.join(', ')}]`);
    }
    const [rows, cols] = patchGrid(height, width, this.patchSize);
    const p = this.patchSize;
    return tf.tidy(() => {
      const whole = rows * p === height && cols * p === width ? x : tf.slice(x, [0, 0, 0, 0], [batch, rows * p, cols * p, channels]);
      // [B·rows, p, cols, p·C] → [B·rows, cols, p, p·C]: each patch becomes one (kh, kw, C) row.
      const patches = tf.transpose(tf.reshape(whole, [batch * rows, p, cols, p * channels]), [0, 2, 1, 3]);
      const flat = tf.reshape(patches, [batch * rows * cols, p * p * channels]) as tf.Tensor2D;
      const kernel = tf.reshape(this.weight, [p * p * channels, this.dim]) as tf.Tensor2D;
      const tokens = denseMatMul(flat, kernel, this.bias);
      return tf.reshape(tokens, [batch, rows * cols, this.dim]) as tf.Tensor3D;
    });
  }
}

/**
 * Patch grid [rows, cols] of `height`×`width` images: whole patches only, as a stride-p conv.
 * An image smaller than one patch is a user mistake (patchSize too large for the data or crops).
 */
export function patchGrid(height: number, width: number, patchSize: number): PatchGrid {
  if (height < patchSize || width < patchSize) {
    throw new UserError(
      `ViT patch size ${patchSize} does not fit ${height}×${width} images`,
      `use patchSize=${Math.min(height, width)} or smaller, or larger images/crops`,
    );
  }
  return [Math.floor(height / patchSize), Math.floor(width / patchSize)];
}

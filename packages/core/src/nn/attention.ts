import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import { Linear } from './linear.js';
import type { ParameterSet } from './parameters.js';

/**
 * Multi-head self-attention as timm's and DINO's `Attention`: one Linear `<name>.qkv` (D → 3D,
 * with bias) whose outputs are ordered (q|k|v, head, head dim) exactly like the rows of
 * PyTorch's `qkv.weight` [3D, D] (stored transposed, [D, 3D], as every Linear here), softmax over
 * the keys of (q·kᵀ)/√d, and the output Linear `<name>.proj` (D → D).
 *
 * Heads are batched as [B, H, T, d] through BatchMatMul; every op used (reshape, transpose,
 * split, matMul, softmax) has a wasm kernel, and so have their gradients. The Linears run
 * through `denseMatMul`, whose gradient stays on wasm's XNNPACK path.
 */
export class MultiHeadSelfAttention {
  readonly qkv: Linear;
  readonly proj: Linear;
  readonly headDim: number;
  /** 1/√headDim, the softmax temperature of scaled dot-product attention. */
  readonly scale: number;

  constructor(
    params: ParameterSet,
    name: string,
    readonly dim: number,
    readonly heads: number,
    rng: Rng,
  ) {
    if (dim % heads !== 0) throw new Error(`attention ${name}: dim ${dim} is not divisible by ${heads} heads`);
    this.headDim = dim / heads;
    this.scale = this.headDim ** -0.5;
    this.qkv = new Linear(params, `${name}.qkv`, dim, 3 * dim, rng);
    this.proj = new Linear(params, `${name}.proj`, dim, dim, rng);
  }

  /** Tokens [B, T, D] → [B, T, D]. */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    const [batch, tokens, dim] = x.shape;
    if (dim !== this.dim) throw new Error(`attention over ${this.dim} features got input shape [${x.shape.join(', ')}]`);
    const { heads, headDim } = this;
    return tf.tidy(() => {
      const qkv = this.qkv.apply(tf.reshape(x, [batch * tokens, dim]) as tf.Tensor2D);
      // [B·T, 3D] → [B, T, 3H, d] → [B, 3H, T, d]; the first H head-slices are q, then k, then v.
      const perHead = tf.transpose(tf.reshape(qkv, [batch, tokens, 3 * heads, headDim]), [0, 2, 1, 3]);
      const [q, k, v] = tf.split(perHead, 3, 1) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      // Scaling q ([T, d]) rather than the scores ([T, T]) is the same product, fewer multiplies.
      const scores = tf.matMul(tf.mul(q, this.scale), k, false, true);
      const weighted = tf.matMul(tf.softmax(scores), v); // [B, H, T, d]
      const merged = tf.reshape(tf.transpose(weighted, [0, 2, 1, 3]), [batch * tokens, dim]) as tf.Tensor2D;
      return tf.reshape(this.proj.apply(merged), [batch, tokens, dim]) as tf.Tensor3D;
    });
  }
}

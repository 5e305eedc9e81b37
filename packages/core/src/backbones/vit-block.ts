import * as tf from '@tensorflow/tfjs-core';
import { gelu } from '../nn/activations.js';
import { MultiHeadSelfAttention } from '../nn/attention.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { Linear } from '../nn/linear.js';
import type { ParameterSet } from '../nn/parameters.js';
import type { Rng } from '../rng.js';
import { initVitLinear } from './vit-init.js';

/**
 * One pre-norm transformer block, named as timm's and DINO's `Block`:
 * x + attn(norm1(x)), then x + mlp.fc2(GELU(mlp.fc1(norm2(x)))). No dropout, no drop-path
 * (DINO's ViT-S default drop_path_rate is 0.1; this backbone always uses 0).
 */
export class VitBlock {
  readonly norm1: LayerNorm;
  readonly attn: MultiHeadSelfAttention;
  readonly norm2: LayerNorm;
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(params: ParameterSet, name: string, dim: number, heads: number, mlpRatio: number, epsilon: number, rng: Rng) {
    this.norm1 = new LayerNorm(params, `${name}.norm1`, dim, { epsilon });
    this.attn = new MultiHeadSelfAttention(params, `${name}.attn`, dim, heads, rng);
    this.norm2 = new LayerNorm(params, `${name}.norm2`, dim, { epsilon });
    const hidden = Math.round(dim * mlpRatio);
    this.fc1 = new Linear(params, `${name}.mlp.fc1`, dim, hidden, rng);
    this.fc2 = new Linear(params, `${name}.mlp.fc2`, hidden, dim, rng);
    for (const linear of [this.attn.qkv, this.attn.proj, this.fc1, this.fc2]) initVitLinear(linear, rng);
  }

  /** Tokens [B, T, D] → [B, T, D]. */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    const [batch, tokens, dim] = x.shape;
    return tf.tidy(() => {
      const h = tf.add(x, this.attn.apply(this.norm1.apply(x)));
      const rows = tf.reshape(this.norm2.apply(h), [batch * tokens, dim]) as tf.Tensor2D;
      const mlp = this.fc2.apply(gelu(this.fc1.apply(rows)));
      return tf.add(h, tf.reshape(mlp, [batch, tokens, dim])) as tf.Tensor3D;
    });
  }
}

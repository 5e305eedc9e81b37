import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import { activation, type ActivationName } from './activations.js';
import { BatchNorm } from './batch-norm.js';
import { Linear } from './linear.js';
import type { ParameterSet } from './parameters.js';

export interface MlpOptions {
  /** Batch norm after every hidden Linear (default false). */
  batchNorm?: boolean;
  activation?: ActivationName;
  /** Bias on the last Linear (default true). */
  lastBias?: boolean;
  /** Batch norm after the last Linear too (default false). */
  lastBatchNorm?: boolean;
}

export interface Mlp {
  readonly inDim: number;
  readonly outDim: number;
  readonly layers: ReadonlyArray<Linear | BatchNorm | ActivationName>;
  apply(x: tf.Tensor2D, training: boolean): tf.Tensor2D;
}

/**
 * Lin → [BN] → act → … → Lin → [BN], for projectors and predictors. dims = [in, hidden…, out].
 * Modules are numbered like a PyTorch nn.Sequential (activations take an index too), so
 * `projector.0.weight`, `projector.1.running_mean`, `projector.3.weight` line up with
 * solo-learn's state dicts.
 */
export function mlp(params: ParameterSet, name: string, dims: number[], rng: Rng, opts: MlpOptions = {}): Mlp {
  if (dims.length < 2) throw new Error(`mlp ${name} needs at least [in, out] dims, got [${dims.join(', ')}]`);
  const act = opts.activation ?? 'relu';
  const layers: Array<Linear | BatchNorm | ActivationName> = [];
  const last = dims.length - 2;
  for (let i = 0; i <= last; i++) {
    const isLast = i === last;
    const bias = isLast ? opts.lastBias ?? true : true;
    layers.push(new Linear(params, `${name}.${layers.length}`, dims[i]!, dims[i + 1]!, rng, { bias }));
    if (isLast ? opts.lastBatchNorm : opts.batchNorm) {
      layers.push(new BatchNorm(params, `${name}.${layers.length}`, dims[i + 1]!));
    }
    if (!isLast) layers.push(act);
  }
  return {
    inDim: dims[0]!,
    outDim: dims[dims.length - 1]!,
    layers,
    apply(x, training) {
      let h = x;
      for (const layer of layers) {
        if (layer instanceof Linear) h = layer.apply(h);
        else if (layer instanceof BatchNorm) h = layer.apply(h, training);
        else h = activation(layer, h);
      }
      return h;
    },
  };
}

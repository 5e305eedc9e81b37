import * as tf from '@tensorflow/tfjs-core';
import { fusedBatchNormAvailable, fusedBatchNormTraining } from './fused-batch-norm.js';
import type { ParameterSet } from './parameters.js';

/**
 * Receives a training-mode batch norm's batch mean and unbiased batch variance, in place of the
 * running-statistics update, while installed with `withBatchStatistics` (precise-batch-norm.ts).
 * Called inside the layer's tf.tidy: keep what must outlive the call.
 */
export type BatchStatisticsSink = (layer: BatchNorm, mean: tf.Tensor, unbiasedVariance: tf.Tensor) => void;

let statisticsSink: BatchStatisticsSink | undefined;

/** Runs `fn` with every training-mode batch norm handing its batch statistics to `sink` (running statistics untouched). */
export function withBatchStatistics<T>(sink: BatchStatisticsSink, fn: () => T): T {
  const previous = statisticsSink;
  statisticsSink = sink;
  try {
    return fn();
  } finally {
    statisticsSink = previous;
  }
}

export interface BatchNormOptions {
  /** Weight of the new batch in the running statistics (PyTorch convention, default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  epsilon?: number;
  /** Learn a per-channel scale (gamma) and shift (beta) (default true). */
  affine?: boolean;
}

/**
 * Batch normalisation over every axis but the last (channels), for [N, C] and [N, H, W, C].
 * PyTorch semantics: training normalises with the biased batch variance and updates
 * running_var with the unbiased one; evaluation uses the running statistics.
 * Names follow torchvision: `<name>.weight` (gamma), `<name>.bias` (beta),
 * `<name>.running_mean`, `<name>.running_var`.
 *
 * Training uses a hand-written gradient (tf.customGrad) and per-channel sums as a [1, M]·[M, C]
 * matMul: on wasm a reduction over the leading axes first transposes the whole activation,
 * which made the autodiff version of this layer a third of a ResNet training step.
 * When the backend registers the fused batch-norm kernels (nn/fused-batch-norm.ts; the native
 * CPU backend does), training runs as one kernel forward and one backward instead.
 */
export class BatchNorm {
  readonly gamma: tf.Variable | undefined;
  readonly beta: tf.Variable | undefined;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly momentum: number;
  readonly epsilon: number;

  constructor(params: ParameterSet, name: string, readonly channels: number, opts: BatchNormOptions = {}) {
    this.momentum = opts.momentum ?? 0.1;
    this.epsilon = opts.epsilon ?? 1e-5;
    const affine = opts.affine ?? true;
    this.gamma = affine ? params.add(`${name}.weight`, tf.ones([channels]), 'norm') : undefined;
    this.beta = affine ? params.add(`${name}.bias`, tf.zeros([channels]), 'norm') : undefined;
    this.runningMean = params.add(`${name}.running_mean`, tf.zeros([channels]), 'buffer');
    this.runningVar = params.add(`${name}.running_var`, tf.ones([channels]), 'buffer');
  }

  apply<T extends tf.Tensor>(x: T, training: boolean): T {
    if (x.shape[x.rank - 1] !== this.channels) {
      throw new Error(`BatchNorm over ${this.channels} channels got input shape [${x.shape.join(', ')}]`);
    }
    return training ? this.train(x) : this.evaluate(x);
  }

  /** y = x·s + (β − μ·s), s = γ/√(σ²+ε), from the running statistics: two passes over x. */
  private evaluate<T extends tf.Tensor>(x: T): T {
    return tf.tidy(() => {
      let scale = tf.rsqrt(tf.add(this.runningVar, this.epsilon));
      if (this.gamma) scale = tf.mul(scale, this.gamma);
      let shift = tf.neg(tf.mul(this.runningMean, scale));
      if (this.beta) shift = tf.add(shift, this.beta);
      return tf.add(tf.mul(x, scale), shift) as T;
    });
  }

  private train<T extends tf.Tensor>(x: T): T {
    const count = x.size / this.channels;
    if (count < 2) {
      throw new Error(`BatchNorm needs more than 1 value per channel in training, got input shape [${x.shape.join(', ')}]`);
    }
    const c = this.channels;
    const { gamma, beta, epsilon } = this;
    if (fusedBatchNormAvailable()) {
      const affine = gamma && beta ? { gamma, beta } : undefined;
      return fusedBatchNormTraining(x, affine, epsilon, (mean, variance) => this.updateRunning(mean, variance, count));
    }
    // Per-channel mean of an [M, C] matrix as (1/M)·[1, M]·[M, C].
    const colMean = (ones: tf.Tensor2D, t: tf.Tensor2D) => tf.div(tf.matMul(ones, t), count).reshape([c]);

    // Inputs are x (and γ, β when affine) so tf.variableGrads routes gradients to them.
    const forward = tf.customGrad((...args: unknown[]) => {
      const save = args[args.length - 1] as tf.GradSaveFunc;
      const x2 = (args[0] as tf.Tensor).reshape([count, c]) as tf.Tensor2D;
      const ones = tf.ones([1, count]) as tf.Tensor2D;
      const mean = colMean(ones, x2);
      const xc = tf.sub(x2, mean) as tf.Tensor2D;
      const variance = colMean(ones, tf.square(xc));
      const rstd = tf.rsqrt(tf.add(variance, epsilon));
      this.updateRunning(mean, variance, count);
      const scale = gamma ? tf.mul(rstd, gamma) : rstd;
      let y = tf.mul(xc, scale);
      if (beta) y = tf.add(y, beta);
      save([xc, rstd, ones]);
      return {
        value: y.reshape(x.shape),
        // dx = s·(dy − mean(dy)) − xc·s·rstd²·mean(dy·xc); dγ = Σ dy·x̂; dβ = Σ dy.
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xcS, rstdS, onesS] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D];
          const dy2 = dy.reshape([count, c]) as tf.Tensor2D;
          const sScale = gamma ? tf.mul(rstdS, gamma) : rstdS;
          const dyMean = colMean(onesS, dy2);
          const dyXcMean = colMean(onesS, tf.mul(dy2, xcS));
          const k = tf.mul(tf.mul(sScale, tf.square(rstdS)), dyXcMean);
          const dx = tf.sub(tf.mul(dy2, sScale), tf.add(tf.mul(xcS, k), tf.mul(dyMean, sScale))).reshape(x.shape);
          if (!gamma) return [dx];
          return [dx, tf.mul(tf.mul(dyXcMean, rstdS), count), tf.mul(dyMean, count)];
        },
      };
    });
    const inputs = gamma && beta ? [x, gamma, beta] : [x];
    return (forward as (...t: tf.Tensor[]) => tf.Tensor)(...inputs) as T;
  }

  /** running ← (1−m)·running + m·batch, with the unbiased batch variance for running_var. */
  private updateRunning(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    const m = this.momentum;
    tf.tidy(() => {
      if (statisticsSink) return statisticsSink(this, mean, tf.mul(variance, count / (count - 1)));
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(variance, (m * count) / (count - 1))));
    });
  }
}

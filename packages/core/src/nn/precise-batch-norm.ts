import * as tf from '@tensorflow/tfjs-core';
import { withBatchStatistics, type BatchNorm } from './batch-norm.js';

interface Sums {
  mean: tf.Tensor;
  variance: tf.Tensor;
  batches: number;
}

/**
 * Precise batch-norm statistics (fvcore's `update_bn_stats`, detectron2's PreciseBN hook, on in
 * MoCo's detection recipe): with the weights as they are, run training-mode forward passes and
 * set every batch norm's running mean and variance to the plain average, over those batches, of
 * its batch means and unbiased batch variances. A momentum-0.1 running average instead mixes the
 * last few batches, seen while the weights were still moving, and a network whose norm scales
 * are large amplifies the error. Weights and norm parameters are not changed.
 *
 *   const precise = new PreciseBatchNorm();
 *   for (…) precise.add(() => model.forward(batch, true));   // outputs are disposed
 *   precise.finish();                                        // assigns the averages
 */
export class PreciseBatchNorm {
  private readonly sums = new Map<BatchNorm, Sums>();
  private finished = false;

  /** One forward pass: `forward` runs in a tf.tidy, its batch norms' statistics are summed. */
  add(forward: () => tf.TensorContainer): void {
    if (this.finished) throw new Error('PreciseBatchNorm.add after finish');
    // The tidy returns nothing, so the forward's outputs are disposed with everything else.
    tf.tidy(() => {
      withBatchStatistics((layer, mean, variance) => {
        const sums = this.sums.get(layer);
        if (!sums) {
          this.sums.set(layer, { mean: tf.keep(mean.clone()), variance: tf.keep(variance.clone()), batches: 1 });
          return;
        }
        const next = { mean: tf.keep(tf.add(sums.mean, mean)), variance: tf.keep(tf.add(sums.variance, variance)), batches: sums.batches + 1 };
        tf.dispose([sums.mean, sums.variance]);
        this.sums.set(layer, next);
      }, forward);
    });
  }

  /** Assigns the averages to the running statistics; returns how many layers and batches per layer. */
  finish(): { layers: number; batches: number[] } {
    this.finished = true;
    const batches: number[] = [];
    for (const [layer, sums] of this.sums) {
      tf.tidy(() => {
        layer.runningMean.assign(tf.div(sums.mean, sums.batches));
        layer.runningVar.assign(tf.div(sums.variance, sums.batches));
      });
      tf.dispose([sums.mean, sums.variance]);
      batches.push(sums.batches);
    }
    const layers = this.sums.size;
    this.sums.clear();
    return { layers, batches };
  }

  /** Frees the sums without assigning (on an error before finish). */
  dispose(): void {
    for (const sums of this.sums.values()) tf.dispose([sums.mean, sums.variance]);
    this.sums.clear();
    this.finished = true;
  }
}

import type * as tf from '@tensorflow/tfjs-core';

/**
 * A training batch of B pairs. `views[v]` is [B, h_v, w_v, C] (views may differ in size for
 * multi-crop); row i of every view belongs to pair i. `indexes[i]` is pair i's positive id:
 * rows with equal index, across all views, are positives of each other.
 */
export interface Batch {
  views: tf.Tensor4D[];
  indexes: tf.Tensor1D;
  /** True class labels where the dataset has them (-1 otherwise); for monitoring only. */
  labels: tf.Tensor1D;
  size: number;
}

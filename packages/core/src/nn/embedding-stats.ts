import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from './l2-normalize.js';

/**
 * Collapse monitor, as solo-learn logs it: per view, the std (unbiased) across the batch of each
 * dimension of the L2-normalised embeddings, averaged over dimensions and views. A collapsed
 * projector gives 0; well-spread embeddings give about 1/√D.
 */
export function embeddingStd(views: tf.Tensor2D[]): tf.Scalar {
  return tf.tidy(() => {
    const stds = views.map((z) => {
      const zn = l2Normalize(z);
      const rows = Math.max(zn.shape[0] - 1, 1);
      const centred = tf.sub(zn, tf.mean(zn, 0, true));
      return tf.mean(tf.sqrt(tf.div(tf.sum(tf.square(centred), 0), rows)));
    });
    return tf.mean(tf.stack(stds)) as tf.Scalar;
  });
}

/**
 * Mean cosine similarity of positive pairs (same index, not self) and of negative pairs
 * (different index): how far apart the loss has pushed them. NaN-free: an empty set gives 0.
 */
export function pairCosines(z: tf.Tensor2D, indexes: tf.Tensor1D): { positive: tf.Scalar; negative: tf.Scalar } {
  return tf.tidy(() => {
    const n = z.shape[0];
    const zn = l2Normalize(z);
    const cos = tf.matMul(zn, zn, false, true);
    const same = tf.cast(tf.equal(tf.reshape(indexes, [n, 1]), tf.reshape(indexes, [1, n])), 'float32');
    const positives = tf.mul(same, tf.sub(1, tf.eye(n)));
    const negatives = tf.sub(1, same);
    const meanOver = (mask: tf.Tensor): tf.Scalar =>
      tf.div(tf.sum(tf.mul(cos, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
    return { positive: meanOver(positives), negative: meanOver(negatives) };
  });
}

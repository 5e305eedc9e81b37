import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from './l2-normalize.js';

/**
 * Collapse monitor, as solo-learn logs it: per view, the std (unbiased) across the batch of each
 * dimension of the L2-normalised embeddings, averaged over dimensions and views. A collapsed
 * expander gives 0; well-spread embeddings give about 1/√D.
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

import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '@sempair/core';

/** Stand-in for −∞ in masked maxima: finite, so no inf ever reaches exp() or a gradient. */
const MASKED = -1e30;

/**
 * log Σ_j mask_ij·exp(s_ij) per row, computed stably (shifted by the row's masked maximum).
 * Rows whose mask is empty give 0 and a finite (zero) gradient; callers must drop them.
 * `has` is 1 where the row's mask is non-empty.
 */
function maskedLogSumExp(s: tf.Tensor2D, mask: tf.Tensor2D, has: tf.Tensor1D): tf.Tensor1D {
  const isIn = tf.cast(mask, 'bool');
  const rowMax = tf.max(tf.where(isIn, s, tf.fill(s.shape, MASKED)), 1);
  // Empty rows would shift by −1e30; shift them by 0 instead, so every exp() argument stays ≤ 0.
  const shift = tf.mul(rowMax, has);
  const shifted = tf.where(isIn, tf.sub(s, tf.expandDims(shift, 1)), tf.zerosLike(s));
  const sum = tf.sum(tf.mul(tf.exp(shifted), mask), 1);
  // log(1) = 0 for empty rows, instead of log(0) = −∞.
  const safeSum = tf.add(tf.mul(sum, has), tf.sub(1, has));
  return tf.add(shift, tf.log(safeSum)) as tf.Tensor1D;
}

/**
 * SimCLR / NT-Xent loss, equal to solo-learn's `simclr_loss_func`:
 *
 *   z ← z / ‖z‖ (row-wise), sim_ij = exp(z_i·z_j / τ),
 *   loss = −mean_i log( Σ_{j∈P(i)} sim_ij / Σ_{j≠i} sim_ij ),
 *
 * where P(i) are the *other* rows with the same index as row i, and every other row j ≠ i is
 * a negative (so the denominator is Σpos + Σneg). `z` stacks the views, view 0's rows first;
 * `indexes` has one id per row. Unique ids per image give NT-Xent; class ids give the
 * supervised-contrastive variant, several positives summed inside the log.
 *
 * It is computed as logsumexp over positives minus logsumexp over all others, each shifted by
 * its own row maximum, which equals the formula above but never overflows or underflows.
 *
 * Anchors without any positive (an id that occurs once) would make the reference return
 * log(0) = −∞ and a NaN loss; here they are left out of the mean. If no row has a positive
 * the loss is 0 (with zero gradients).
 */
export function simclrLoss(z: tf.Tensor2D, indexes: tf.Tensor1D, temperature = 0.1): tf.Scalar {
  if (z.rank !== 2) throw new Error(`simclrLoss: z must be [N, D], got shape [${z.shape.join(', ')}]`);
  const n = z.shape[0];
  if (indexes.rank !== 1 || indexes.shape[0] !== n) {
    throw new Error(`simclrLoss: indexes must be [${n}] (one id per row of z), got [${indexes.shape.join(', ')}]`);
  }
  if (!(temperature > 0)) throw new Error(`simclrLoss: temperature must be > 0, got ${temperature}`);

  return tf.tidy(() => {
    const zn = l2Normalize(z);
    const logits = tf.div(tf.matMul(zn, zn, false, true), temperature) as tf.Tensor2D;

    const ids = indexes.dtype === 'float32' ? indexes : tf.cast(indexes, 'int32');
    const same = tf.cast(tf.equal(tf.reshape(ids, [n, 1]), tf.reshape(ids, [1, n])), 'float32');
    const notSelf = tf.sub(1, tf.eye(n)) as tf.Tensor2D;
    const positives = tf.mul(same, notSelf) as tf.Tensor2D;

    const hasPositive = tf.cast(tf.greater(tf.sum(positives, 1), 0), 'float32') as tf.Tensor1D;
    const hasOther = tf.cast(tf.greater(tf.sum(notSelf, 1), 0), 'float32') as tf.Tensor1D;

    const logPos = maskedLogSumExp(logits, positives, hasPositive);
    const logAll = maskedLogSumExp(logits, notSelf, hasOther);
    const perAnchor = tf.mul(tf.sub(logAll, logPos), hasPositive);
    const anchors = tf.maximum(tf.sum(hasPositive), 1);
    return tf.div(tf.sum(perAnchor), anchors) as tf.Scalar;
  });
}

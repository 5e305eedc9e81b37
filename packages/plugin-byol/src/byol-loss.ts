import { l2Normalize } from '@sempair/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * BYOL loss, equal to solo-learn's `byol_loss_func(p, z, simplified=True)`:
 *
 *   loss = 2 − 2·mean_i cos(p_i, z_i),  cos(a, b) = a·b / (max(‖a‖, 1e-12)·max(‖b‖, 1e-12)).
 *
 * `p` is the online predictor's output, `z` the EMA target projector's output for the *other*
 * view. The reference detaches z. tfjs-core has no stopGradient, so the no-gradient contract is
 * kept by the caller: z must come from the target network, whose variables are role 'buffer'
 * (created with trainable = false), so `tf.variableGrads` never differentiates through them.
 * Any gradient w.r.t. z itself is simply never requested. The BYOL method sums this loss over
 * both view orders: byolLoss(p1, z2) + byolLoss(p2, z1).
 */
export function byolLoss(p: tf.Tensor2D, z: tf.Tensor2D): tf.Scalar {
  if (p.rank !== 2 || z.rank !== 2) {
    throw new Error(`byolLoss: p and z must be [N, D], got [${p.shape.join(', ')}] and [${z.shape.join(', ')}]`);
  }
  if (p.shape[0] !== z.shape[0] || p.shape[1] !== z.shape[1]) {
    throw new Error(`byolLoss: p [${p.shape.join(', ')}] and z [${z.shape.join(', ')}] must have the same shape`);
  }
  if (p.shape[0] === 0) throw new Error('byolLoss: empty batch');
  return tf.tidy(() => {
    const cos = tf.sum(tf.mul(l2Normalize(p), l2Normalize(z)), 1);
    return tf.sub(2, tf.mul(2, tf.mean(cos))) as tf.Scalar;
  });
}

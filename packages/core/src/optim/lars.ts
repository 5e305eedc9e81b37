import * as tf from '@tensorflow/tfjs-core';
import { addSlot, decays, type UpdateRule } from './optimizer.js';
import { applyMomentum } from './sgd.js';

export interface LarsSettings {
  momentum: number;
  weightDecay: number;
  /** Trust coefficient η. */
  eta: number;
  /** Added to the trust-ratio denominator (solo-learn default 1e-8). */
  eps?: number;
  /**
   * solo-learn's `clip_lr` (on in its CIFAR and ImageNet presets): the trust ratio becomes
   * min(trust / lr, 1), so a weight moves by min(η·‖w‖/‖g‖, lr)·g: at most a fraction η of its
   * norm per step, and never faster than plain SGD at the scheduled lr.
   */
  clipLr?: boolean;
  /**
   * solo-learn's `exclude_bias_n_norm_lars` (on in its presets and by default here): biases and
   * norm parameters take d = g, neither decayed nor adapted. Off, they are treated as weights
   * (trust ratio and decay), so none of them moves faster than a fraction η of its norm per step.
   */
  excludeBiasNorm?: boolean;
}

/**
 * solo-learn's LARS with exclude_bias_n_norm and clip_lr as set. For role 'weight' (every
 * parameter when exclude_bias_n_norm is off):
 *   if ‖w‖ > 0 and ‖g‖ > 0:  trust = η·‖w‖ / (‖g‖ + wd·‖w‖ + eps)  [clip_lr: trust = min(trust / lr, 1)]
 *                             d = (g + wd·w)·trust
 *   else d = g  (no decay either, exactly as the reference)
 * Biases and norm parameters, excluded: d = g (no decay, no adaptation). Then SGD momentum:
 * buf = m·buf + d; w −= lr·buf. The branch is computed on the device, without a download.
 */
export function larsRule({ momentum, weightDecay, eta, eps = 1e-8, clipLr = false, excludeBiasNorm = true }: LarsSettings): UpdateRule {
  return {
    name: 'lars',
    init(p, state) {
      if (momentum > 0) addSlot(state, p, 'momentum');
    },
    update(p, grad, lr, state) {
      const w = p.variable;
      let d = grad;
      if (decays(p) || !excludeBiasNorm) {
        const wNorm = tf.norm(w);
        const gNorm = tf.norm(grad);
        const adapt = tf.logicalAnd(tf.greater(wNorm, 0), tf.greater(gNorm, 0));
        let ratio = tf.div(tf.mul(wNorm, eta), tf.add(tf.add(gNorm, tf.mul(wNorm, weightDecay)), eps));
        // At lr 0 the step is 0 whatever the ratio; skip the clip rather than divide by 0.
        if (clipLr && lr > 0) ratio = tf.minimum(tf.div(ratio, lr), 1);
        const trust = tf.where(adapt, ratio, tf.onesLike(ratio));
        const wd = tf.where(adapt, tf.scalar(weightDecay), tf.scalar(0));
        d = tf.mul(tf.add(grad, tf.mul(w, wd)), trust);
      }
      applyMomentum(p, w, d, lr, momentum, state);
    },
  };
}

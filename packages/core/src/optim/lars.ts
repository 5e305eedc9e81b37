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
}

/**
 * solo-learn's LARS with exclude_bias_n_norm_lars=True and clip_lars_lr=False. For role 'weight':
 *   if ‖w‖ > 0 and ‖g‖ > 0:  trust = η·‖w‖ / (‖g‖ + wd·‖w‖ + eps);  d = (g + wd·w)·trust
 *   else d = g  (no decay either, exactly as the reference)
 * Biases and norm parameters: d = g (no decay, no adaptation). Then SGD momentum:
 * buf = m·buf + d; w −= lr·buf. The branch is computed on the device, without a download.
 */
export function larsRule({ momentum, weightDecay, eta, eps = 1e-8 }: LarsSettings): UpdateRule {
  return {
    name: 'lars',
    init(p, state) {
      if (momentum > 0) addSlot(state, p, 'momentum');
    },
    update(p, grad, lr, state) {
      const w = p.variable;
      let d = grad;
      if (decays(p)) {
        const wNorm = tf.norm(w);
        const gNorm = tf.norm(grad);
        const adapt = tf.logicalAnd(tf.greater(wNorm, 0), tf.greater(gNorm, 0));
        const ratio = tf.div(tf.mul(wNorm, eta), tf.add(tf.add(gNorm, tf.mul(wNorm, weightDecay)), eps));
        const trust = tf.where(adapt, ratio, tf.onesLike(ratio));
        const wd = tf.where(adapt, tf.scalar(weightDecay), tf.scalar(0));
        d = tf.mul(tf.add(grad, tf.mul(w, wd)), trust);
      }
      applyMomentum(p, w, d, lr, momentum, state);
    },
  };
}

import * as tf from '@tensorflow/tfjs-core';
import { addSlot, decays, slot, type UpdateRule } from './optimizer.js';

export interface AdamWSettings {
  betas: [number, number];
  weightDecay: number;
  eps?: number;
}

/**
 * PyTorch AdamW: w ← w·(1 − lr·wd) (role 'weight' only); m = β1·m + (1−β1)·g;
 * v = β2·v + (1−β2)·g²; w ← w − lr/(1−β1^t) · m / (√v/√(1−β2^t) + eps).
 * The step count t is kept per parameter (as PyTorch does), so a parameter left without
 * gradient for a while (DINO's frozen last layer) gets the same bias correction.
 */
export function adamwRule({ betas: [beta1, beta2], weightDecay, eps = 1e-8 }: AdamWSettings): UpdateRule {
  return {
    name: 'adamw',
    init(p, state) {
      addSlot(state, p, 'exp_avg');
      addSlot(state, p, 'exp_avg_sq');
      addSlot(state, p, 'step', []);
    },
    update(p, grad, lr, state) {
      const w = p.variable;
      const m = slot(state, p, 'exp_avg');
      const v = slot(state, p, 'exp_avg_sq');
      const t = slot(state, p, 'step');
      t.assign(tf.add(t, 1));
      const decayed = decays(p) && weightDecay > 0 ? tf.mul(w, 1 - lr * weightDecay) : w;
      m.assign(tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1)));
      v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2)));
      // Bias corrections from the device-side step count: no download, and restored with the state.
      const bc1 = tf.sub(1, tf.pow(tf.scalar(beta1), t));
      const bc2 = tf.sub(1, tf.pow(tf.scalar(beta2), t));
      const denom = tf.add(tf.div(tf.sqrt(v), tf.sqrt(bc2)), eps);
      w.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), tf.div(lr, bc1))));
    },
  };
}

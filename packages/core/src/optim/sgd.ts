import * as tf from '@tensorflow/tfjs-core';
import type { Parameter } from '../nn/parameters.js';
import { addSlot, decays, slot, type UpdateRule } from './optimizer.js';

export interface SgdSettings {
  momentum: number;
  weightDecay: number;
}

/**
 * PyTorch SGD (dampening 0, no Nesterov): d = g + wd·w; buf = m·buf + d; w −= lr·buf.
 * A zero-initialised buffer gives PyTorch's first step (buf = d) exactly.
 * Weight decay applies to role 'weight' only (see `decays`).
 */
export function sgdRule({ momentum, weightDecay }: SgdSettings): UpdateRule {
  return {
    name: 'sgd',
    init(p, state) {
      if (momentum > 0) addSlot(state, p, 'momentum');
    },
    update(p: Parameter, grad, lr, state) {
      const w = p.variable;
      const d = decays(p) && weightDecay > 0 ? tf.add(grad, tf.mul(w, weightDecay)) : grad;
      applyMomentum(p, w, d, lr, momentum, state);
    },
  };
}

/** buf = m·buf + d; w −= lr·buf (or w −= lr·d without momentum). Shared by SGD and LARS. */
export function applyMomentum(
  p: Parameter,
  w: tf.Variable,
  d: tf.Tensor,
  lr: number,
  momentum: number,
  state: Map<string, tf.Variable>,
): void {
  let direction = d;
  if (momentum > 0) {
    const buf = slot(state, p, 'momentum');
    buf.assign(tf.add(tf.mul(buf, momentum), d));
    direction = buf;
  }
  w.assign(tf.sub(w, tf.mul(direction, lr)));
}

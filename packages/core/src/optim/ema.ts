import * as tf from '@tensorflow/tfjs-core';

/**
 * EMA momentum after step k of K, cosine-increased from `base` to `final`:
 * τ = final − (final − base)·(cos(πk/K) + 1)/2 (BYOL; solo-learn's MomentumUpdater).
 */
export function emaMomentum(step: number, totalSteps: number, base: number, final = 1): number {
  if (totalSteps <= 0) return final;
  const k = Math.min(step, totalSteps);
  return final - ((final - base) * (Math.cos((Math.PI * k) / totalSteps) + 1)) / 2;
}

/** target ← τ·target + (1−τ)·online, in place, pairwise; nothing is left allocated. */
export function emaUpdate(target: readonly tf.Variable[], online: readonly tf.Tensor[], tau: number): void {
  if (target.length !== online.length) {
    throw new Error(`emaUpdate: ${target.length} target tensors but ${online.length} online tensors`);
  }
  tf.tidy(() => {
    target.forEach((t, i) => {
      const o = online[i]!;
      if (t.shape.join() !== o.shape.join()) {
        throw new Error(`emaUpdate: shape [${t.shape.join(', ')}] of target ${i} differs from online [${o.shape.join(', ')}]`);
      }
      t.assign(tf.add(tf.mul(t, tau), tf.mul(o, 1 - tau)));
    });
  });
}

/**
 * One EMA step after optimiser step `step` (0-based) of `totalSteps`: τ from `emaMomentum`, then
 * target ← τ·target + (1−τ)·online. What BYOL's and DINO's targets do after every step. Returns τ.
 */
export function emaStep(target: readonly tf.Variable[], online: readonly tf.Tensor[], step: number, totalSteps: number, base: number, final = 1): number {
  const tau = emaMomentum(step, totalSteps, base, final);
  emaUpdate(target, online, tau);
  return tau;
}

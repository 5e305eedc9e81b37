import { ParameterSet, ResNet, Rng, twinPairs } from '@sempair/core';

/**
 * Puts every batch norm of a ResNet back where a fresh network of the same configuration starts
 * (γ, β and running statistics, zeroInitResidual included), keeping the pre-trained
 * convolutions. For `resetNorm`: a laptop-scale pre-training moves the norm parameters far more
 * than the convolutions (LARS adapts the convolutions' steps, not theirs), and fine-tuning from
 * those scales is what costs the detector most; this separates the two. Returns how many
 * tensors were reset.
 */
export function resetBatchNorm(resnet: ResNet): number {
  // The starting values come from building one (its convolutions are drawn and dropped), so they
  // are whatever ResNet's own initialisation is.
  const fresh = new ParameterSet(resnet.params.prefix);
  try {
    const initial = new ResNet(resnet.id, fresh, resnet.config, new Rng(0));
    const norms = new Set(initial.params.list().filter((p) => p.role === 'norm' || p.role === 'buffer').map((p) => p.name));
    const pairs = twinPairs(initial.params, resnet.params).filter((p) => norms.has(p.name));
    for (const p of pairs) p.twin.assign(p.online);
    return pairs.length;
  } finally {
    fresh.dispose();
  }
}

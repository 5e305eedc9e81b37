import * as tf from '@tensorflow/tfjs-core';
import type { ResNet } from '@sempair/core';

/**
 * Puts every batch norm of a ResNet back where a fresh one starts (γ 1, β 0, running mean 0,
 * running variance 1; γ 0 for the last norm of each block under zeroInitResidual), keeping the
 * pre-trained convolutions. For `resetNorm`: a laptop-scale pre-training moves the norm
 * parameters far more than the convolutions (LARS adapts the convolutions' steps, not theirs),
 * and fine-tuning from those scales is what costs the detector most; this separates the two.
 * Returns how many tensors were reset.
 */
export function resetBatchNorm(resnet: ResNet): number {
  const lastNorm = resnet.config.block === 'basic' ? '.bn2.weight' : '.bn3.weight';
  let reset = 0;
  tf.tidy(() => {
    for (const p of resnet.params.list()) {
      let value: number | undefined;
      if (p.name.endsWith('.running_mean')) value = 0;
      else if (p.name.endsWith('.running_var')) value = 1;
      else if (p.role === 'norm' && p.name.endsWith('.bias')) value = 0;
      else if (p.role === 'norm' && p.name.endsWith('.weight')) value = resnet.config.zeroInitResidual && p.name.endsWith(lastNorm) ? 0 : 1;
      if (value === undefined) continue;
      p.variable.assign(tf.fill(p.variable.shape, value));
      reset++;
    }
  });
  return reset;
}

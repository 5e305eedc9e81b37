import * as tf from '@tensorflow/tfjs-core';

/**
 * Training-mode batch norm as two kernels, when the active backend registers them
 * (@sempair/backend-native does, for tfjs' 'cpu' backend): one fused forward that computes the
 * batch statistics and normalises, and its fused gradient. Any backend may register kernels under
 * these names with these contracts; otherwise BatchNorm composes the same arithmetic from ops.
 *   SempairBatchNormTraining      inputs {x, gamma?, beta?}, attrs {epsilon}
 *                                 → [y, mean, variance (biased), rstd = 1/√(variance + ε)]
 *   SempairBatchNormTrainingGrad  inputs {dy, x, mean, rstd, gamma?}
 *                                 → [dx] (no gamma) or [dx, dGamma, dBeta]
 * Statistics are over every axis but the last (channels).
 */
export const BATCH_NORM_TRAINING_KERNEL = 'SempairBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD_KERNEL = 'SempairBatchNormTrainingGrad';

/** Whether the active backend has both fused batch-norm kernels. */
export function fusedBatchNormAvailable(): boolean {
  // The engine's field: tf.getBackend() would initialise a backend if none is set.
  const backend = tf.engine().backendName;
  if (backend == null) return false;
  return tf.getKernel(BATCH_NORM_TRAINING_KERNEL, backend) !== undefined && tf.getKernel(BATCH_NORM_TRAINING_GRAD_KERNEL, backend) !== undefined;
}

/**
 * y = (x − μ)/√(σ² + ε)·γ + β over the batch, with its gradient to x (and γ, β), in two kernels.
 * `onStatistics` receives the batch mean and biased variance (for the running statistics)
 * while they are alive.
 */
export function fusedBatchNormTraining<T extends tf.Tensor>(
  x: T,
  affine: { gamma: tf.Tensor; beta: tf.Tensor } | undefined,
  epsilon: number,
  onStatistics: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
): T {
  const forward = tf.customGrad((...args: unknown[]) => {
    // customGrad passes the tensors, then the save function.
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [input, gamma, beta] = args.slice(0, -1) as [tf.Tensor, tf.Tensor | undefined, tf.Tensor | undefined];
    const inputs: tf.NamedTensorMap = gamma && beta ? { x: input, gamma, beta } : { x: input };
    const [y, mean, variance, rstd] = tf.engine().runKernel(BATCH_NORM_TRAINING_KERNEL, inputs, { epsilon }) as tf.Tensor[];
    onStatistics(mean as tf.Tensor1D, variance as tf.Tensor1D);
    save(gamma ? [input, mean!, rstd!, gamma] : [input, mean!, rstd!]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xS, meanS, rstdS, gammaS] = saved;
        const gradInputs: tf.NamedTensorMap = gammaS ? { dy, x: xS!, mean: meanS!, rstd: rstdS!, gamma: gammaS } : { dy, x: xS!, mean: meanS!, rstd: rstdS! };
        return tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD_KERNEL, gradInputs, {}) as tf.Tensor[];
      },
    };
  });
  const inputs = affine ? [x, affine.gamma, affine.beta] : [x];
  return (forward as (...t: tf.Tensor[]) => tf.Tensor)(...inputs) as T;
}

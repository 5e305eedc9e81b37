// @sempair/backend-native: native CPU kernels (oneDNN convolutions and sgemm, OpenMP
// elementwise ops, reductions, pooling and a fused batch norm) registered as overrides on
// TensorFlow.js's 'cpu' backend. @sempair/core loads it for `--backend native`.
export { addonStatus, REBUILD_COMMAND, WAIT_POLICY } from './addon.js';
export type { AddonInfo, AddonStatus } from './addon.js';
export { registerNativeKernels, activeNativeKernels } from './register.js';
export type { NativeKernels, RegisterOptions } from './register.js';
export type { KernelStats } from './kernel-context.js';
export { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from './kernels/batch-norm.js';
export { RELU_GRAD } from './kernels/relu-grad.js';

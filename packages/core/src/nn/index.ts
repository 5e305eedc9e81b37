export * from './parameters.js';
export * from './gradients.js';
export * from './init.js';
export * from './activations.js';
export * from './linear.js';
export * from './batch-norm.js';
export * from './conv2d.js';
export * from './mlp.js';

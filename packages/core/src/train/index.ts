export * from './batch.js';
export * from './run-config.js';
export * from './build-model.js';
export * from './pair-batches.js';
export * from './pretrain.js';

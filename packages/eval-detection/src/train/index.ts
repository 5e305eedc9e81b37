export * from './image-transforms.js';
export * from './train-batches.js';
export * from './solver.js';
export * from './train-detector.js';
export * from './detect-images.js';
export * from './detection-options.js';
export * from './reset-batch-norm.js';
export * from './precise-bn.js';

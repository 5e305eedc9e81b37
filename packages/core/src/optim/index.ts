export * from './training-options.js';

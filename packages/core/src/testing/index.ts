export * from './random-rows.js';
export * from './method-harness.js';

export * from './atomic-write.js';
export * from './run-dir.js';
export * from './checkpoint.js';
export * from './evaluate-run.js';
export * from './restore-backbone.js';
export * from './tfevents.js';
export * from './metrics-export.js';

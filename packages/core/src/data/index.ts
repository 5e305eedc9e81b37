import type { DatasetDefinition } from './dataset.js';
export * from './dataset.js';
// owner: data work — add readers and list them here
export const builtinDatasets: DatasetDefinition[] = [];

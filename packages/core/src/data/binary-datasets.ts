import type { DatasetDefinition } from './dataset.js';

/** Readers of the standard benchmarks' binary and pickle distributions (CIFAR, STL-10). */
export const binaryDatasets: DatasetDefinition[] = [];

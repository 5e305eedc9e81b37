import { cifar100Dataset, cifar10Dataset } from './cifar-dataset.js';
import type { DatasetDefinition } from './dataset.js';
import { stl10Dataset } from './stl10-dataset.js';

/** Readers of the standard benchmarks' binary and pickle distributions (CIFAR, STL-10). */
export const binaryDatasets: DatasetDefinition[] = [cifar10Dataset, cifar100Dataset, stl10Dataset];

import type { DatasetDefinition } from './dataset.js';
import { fashionMnistDataset, idxDataset } from './idx-dataset.js';
import { syntheticDataset, syntheticShiftedDataset } from './synthetic-dataset.js';
import { binaryDatasets } from './binary-datasets.js';
import { folderDatasets } from './folder-datasets.js';
export * from './dataset.js';
export * from './array-dataset.js';
export * from './subset.js';
export * from './load-images.js';
export * from './resize.js';
export * from './idx.js';
export * from './idx-dataset.js';
export * from './synthetic-dataset.js';
export * from './cifar-dataset.js';
export * from './stl10-dataset.js';
export * from './pickle.js';
export * from './pickle-write.js';
export * from './image-decode.js';
export * from './image-file-dataset.js';
export * from './image-folder-dataset.js';
export * from './tiny-imagenet-dataset.js';
export { shapeClasses, type ShapeClass } from './synthetic/shapes.js';
export const builtinDatasets: DatasetDefinition[] = [
  syntheticDataset,
  syntheticShiftedDataset,
  fashionMnistDataset,
  idxDataset,
  ...binaryDatasets,
  ...folderDatasets,
];
export * from './synset-mapping.js';
export * from './imagenet-subset.js';

import type { DatasetDefinition } from './dataset.js';

/** Readers of image folders (ImageNet layout, Tiny-ImageNet), decoded with sharp. */
export const folderDatasets: DatasetDefinition[] = [];

import type { DatasetDefinition } from './dataset.js';
import { imageFolderDataset } from './image-folder-dataset.js';
import { tinyImagenetDataset } from './tiny-imagenet-dataset.js';

/** Readers of image folders (ImageNet layout, Tiny-ImageNet), decoded with sharp. */
export const folderDatasets: DatasetDefinition[] = [imageFolderDataset, tinyImagenetDataset];

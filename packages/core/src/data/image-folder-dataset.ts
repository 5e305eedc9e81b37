import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { type OptionSchema, resolveOptions } from '../options.js';
import type { DatasetDefinition } from './dataset.js';
import { DECODABLE_IMAGE_EXTENSIONS } from './image-decode.js';
import { type ImageFileListing, ImageFileDataset } from './image-file-dataset.js';
import { listImageFiles, listSubfolders } from './image-files.js';

const LAYOUT_FIX = 'pass --dataset-options root=<folder with one sub-folder per class, e.g. train/n01440764/x.JPEG>';

/** Options every folder reader shares. */
export const folderReaderOptions: OptionSchema = {
  skipBad: {
    type: 'boolean',
    default: false,
    description: 'replace unreadable image files by the next readable one of their class (counted) instead of failing',
  },
  cache: {
    type: 'string',
    description: "shard of decoded images: a file path, or 'auto' for a file in root; built on first open, read instead of decoding after",
  },
};

/** The shard path an option value names: none, `auto` (a file in `root`), or a path. */
export function cachePathOf(value: unknown, root: string, autoName: string): string | undefined {
  if (typeof value !== 'string' || value === '' || value === 'false' || value === 'off') return undefined;
  return value === 'auto' ? join(root, autoName) : resolve(value);
}

export function checkRootFolder(id: string, root: unknown, fix: string): string {
  if (typeof root !== 'string' || root === '') throw new UserError(`dataset ${id} needs the option 'root'`, fix);
  if (!existsSync(root)) throw new UserError(`dataset ${id}: root ${root} does not exist`, fix);
  if (!statSync(root).isDirectory()) throw new UserError(`dataset ${id}: root ${root} is not a folder`, fix);
  return root;
}

/** root/<class>/…/<image>: classes are the sorted sub-folder names, as torchvision's ImageFolder. */
export async function listImageFolder(root: string): Promise<ImageFileListing> {
  const classes = await listSubfolders(root);
  if (!classes.length) throw new UserError(`dataset image-folder: ${root} has no class sub-folders`, LAYOUT_FIX);
  const files: string[] = [];
  const labels: number[] = [];
  for (const [label, name] of classes.entries()) {
    for (const file of await listImageFiles(join(root, name), `${name}/`)) {
      files.push(file);
      labels.push(label);
    }
  }
  if (!files.length) {
    throw new UserError(`dataset image-folder: the class folders of ${root} hold no images (${DECODABLE_IMAGE_EXTENSIONS.join(' ')})`, LAYOUT_FIX);
  }
  return { root, files, labels: Int32Array.from(labels), classes };
}

const imageFolderOptions: OptionSchema = {
  root: { type: 'string', description: 'folder with one sub-folder of images per class (required)' },
  size: {
    type: 'integer',
    default: 64,
    min: 4,
    max: 1024,
    description: 'output side: the shorter side is scaled to size, then the centre size×size is cropped (Resize+CenterCrop)',
  },
  ...folderReaderOptions,
};

export const imageFolderDataset: DatasetDefinition = {
  id: 'image-folder',
  description: 'images in root/<class>/<image> (ImageNet layout), decoded on demand to RGB size×size, optionally cached in a shard',
  options: imageFolderOptions,
  async open(values) {
    const o = resolveOptions(imageFolderOptions, values, 'dataset image-folder');
    const root = checkRootFolder('image-folder', o.root, LAYOUT_FIX);
    const size = o.size as number;
    return ImageFileDataset.open({
      id: 'image-folder',
      name: `image-folder:${root}`,
      listing: await listImageFolder(root),
      size,
      fit: 'cover',
      skipBad: o.skipBad as boolean,
      cache: cachePathOf(o.cache, root, `.sempair-cache-${size}.bin`),
      fix: 'replace or delete that file',
    });
  },
};

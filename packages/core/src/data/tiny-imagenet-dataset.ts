import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { type OptionSchema, resolveOptions } from '../options.js';
import type { DatasetDefinition } from './dataset.js';
import { type ImageFileListing, ImageFileDataset } from './image-file-dataset.js';
import { byCodePoint, listImageFiles } from './image-files.js';
import { cachePathOf, checkRootFolder, folderReaderOptions } from './image-folder-dataset.js';

const FIX = 'pass --dataset-options root=<the unpacked tiny-imagenet-200 folder, holding wnids.txt, train/, val/, test/>';

export type TinyImagenetSplit = 'train' | 'val' | 'test';

function readLines(path: string): string[] {
  if (!existsSync(path)) throw new UserError(`dataset tiny-imagenet: ${path} is missing`, FIX);
  return readFileSync(path, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
}

/**
 * Class names for `wnids`: the first synonym in words.txt ("n01443537\tgoldfish, Carassius
 * auratus" → "goldfish"), with the wnid added where two classes share a name; the wnid itself
 * when words.txt is absent or lacks it.
 */
function classNames(root: string, wnids: readonly string[]): string[] {
  const words = new Map<string, string>();
  const path = join(root, 'words.txt');
  if (existsSync(path)) {
    for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
      const [wnid, text] = line.split('\t');
      if (wnid && text) words.set(wnid.trim(), text.split(',')[0]!.trim());
    }
  }
  const names = wnids.map((w) => words.get(w) || w);
  return names.map((n, k) => (names.indexOf(n) !== names.lastIndexOf(n) ? `${n} (${wnids[k]})` : n));
}

async function imagesIn(dir: string, split: string): Promise<string[]> {
  if (!existsSync(dir)) throw new UserError(`dataset tiny-imagenet: the ${split} split has no folder ${dir}`, FIX);
  return listImageFiles(dir);
}

/**
 * Tiny-ImageNet-200: train/<wnid>/images/*.JPEG, val/images/*.JPEG labelled by
 * val/val_annotations.txt (file, wnid, bbox… tab-separated), test/images/*.JPEG unlabelled (−1).
 * Classes are the wnids of wnids.txt in sorted order, as ImageFolder over train/ gives them.
 */
export async function listTinyImagenet(root: string, split: TinyImagenetSplit): Promise<ImageFileListing> {
  const wnids = [...new Set(readLines(join(root, 'wnids.txt')))].sort(byCodePoint);
  const classes = classNames(root, wnids);
  const labelOf = new Map(wnids.map((w, k) => [w, k]));
  const files: string[] = [];
  const labels: number[] = [];
  if (split === 'train') {
    for (const [label, wnid] of wnids.entries()) {
      for (const file of await imagesIn(join(root, 'train', wnid, 'images'), split)) {
        files.push(`train/${wnid}/images/${file}`);
        labels.push(label);
      }
    }
  } else if (split === 'val') {
    const annotationsPath = join(root, 'val', 'val_annotations.txt');
    const annotated = new Map<string, number>();
    readLines(annotationsPath).forEach((line, n) => {
      const [file, wnid] = line.split('\t');
      const label = labelOf.get(wnid ?? '');
      if (!file || label === undefined) {
        throw new UserError(`dataset tiny-imagenet: ${annotationsPath} line ${n + 1} names ${wnid ? `wnid ${wnid}, which is not in wnids.txt` : 'no wnid'}`, FIX);
      }
      annotated.set(file, label);
    });
    for (const file of await imagesIn(join(root, 'val', 'images'), split)) {
      const label = annotated.get(file);
      if (label === undefined) throw new UserError(`dataset tiny-imagenet: val/images/${file} has no line in ${annotationsPath}`, FIX);
      files.push(`val/images/${file}`);
      labels.push(label);
    }
  } else {
    for (const file of await imagesIn(join(root, 'test', 'images'), split)) {
      files.push(`test/images/${file}`);
      labels.push(-1);
    }
  }
  if (!files.length) throw new UserError(`dataset tiny-imagenet: the ${split} split of ${root} holds no images`, FIX);
  return { root, files, labels: Int32Array.from(labels), classes };
}

const tinyImagenetOptions: OptionSchema = {
  root: { type: 'string', description: 'the tiny-imagenet-200 folder (wnids.txt, words.txt, train/, val/, test/) (required)' },
  split: { type: 'string', default: 'train', choices: ['train', 'val', 'test'], description: 'train (100 000), val (10 000, labelled), test (10 000, unlabelled: label −1)' },
  size: { type: 'integer', default: 64, min: 4, max: 1024, description: 'output side; 64 keeps the native images' },
  ...folderReaderOptions,
};

export const tinyImagenetDataset: DatasetDefinition = {
  id: 'tiny-imagenet',
  description: 'Tiny-ImageNet-200 (64×64 RGB, 200 classes) from its unpacked folder, decoded on demand, optionally cached in a shard',
  options: tinyImagenetOptions,
  async open(values) {
    const o = resolveOptions(tinyImagenetOptions, values, 'dataset tiny-imagenet');
    const root = checkRootFolder('tiny-imagenet', o.root, FIX);
    const split = o.split as TinyImagenetSplit;
    const size = o.size as number;
    return ImageFileDataset.open({
      id: 'tiny-imagenet',
      name: `tiny-imagenet/${split}`,
      listing: await listTinyImagenet(root, split),
      size,
      fit: 'cover',
      skipBad: o.skipBad as boolean,
      cache: cachePathOf(o.cache, root, `.sempair-cache-${split}-${size}.bin`),
      fix: 'replace or delete that file (or unpack tiny-imagenet-200.zip again)',
    });
  },
};

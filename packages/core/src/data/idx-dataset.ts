import { existsSync, statSync } from 'node:fs';
import { UserError } from '../errors.js';
import { type OptionSchema, type OptionValues, resolveOptions } from '../options.js';
import type { Dataset, DatasetDefinition, LabelledImage } from './dataset.js';
import { findIdxFile, idxFileNames, readIdxFile } from './idx.js';
import { resizeBilinear } from './resize.js';

/**
 * Grayscale IDX image sets (MNIST, Fashion-MNIST, and anything in their format).
 * Images stay as one gray byte per pixel in memory; `get` resizes and replicates channels
 * on the way out, so 60 000 images cost 47 MB whatever the requested shape.
 */
export interface IdxDatasetInit {
  name: string;
  /** n × rows × cols gray bytes. */
  pixels: Uint8Array;
  labels: Uint8Array;
  rows: number;
  cols: number;
  classes: readonly string[];
  /** 1 (gray) or 3 (gray replicated to RGB, for backbones that expect colour). */
  channels: 1 | 3;
  /** Output height and width; the native size when absent. */
  size?: number;
}

export class IdxDataset implements Dataset {
  readonly name: string;
  readonly size: number;
  readonly classes: readonly string[];
  readonly shape: readonly [number, number, number];
  private readonly init: IdxDatasetInit;

  constructor(init: IdxDatasetInit) {
    this.init = init;
    this.name = init.name;
    this.size = init.labels.length;
    this.classes = init.classes;
    const side = init.size;
    this.shape = [side ?? init.rows, side ?? init.cols, init.channels];
    if (init.pixels.length !== this.size * init.rows * init.cols) {
      throw new RangeError(`${init.name}: ${init.pixels.length} pixel bytes do not hold ${this.size} images of ${init.rows}×${init.cols}`);
    }
  }

  async get(index: number): Promise<LabelledImage> {
    const { pixels, rows, cols, channels, labels } = this.init;
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`${this.name}: index ${index} is outside 0..${this.size - 1}`);
    }
    const [height, width] = this.shape;
    let gray = pixels.subarray(index * rows * cols, (index + 1) * rows * cols);
    gray = height === rows && width === cols ? gray.slice() : resizeBilinear(gray, rows, cols, 1, height, width);
    if (channels === 1) return { image: gray, label: labels[index]! };
    const image = new Uint8Array(gray.length * 3);
    for (let p = 0; p < gray.length; p++) {
      image[3 * p] = image[3 * p + 1] = image[3 * p + 2] = gray[p]!;
    }
    return { image, label: labels[index]! };
  }

  labels(): Int32Array {
    return Int32Array.from(this.init.labels);
  }
}

export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist/';

export interface OpenIdxOptions {
  /** Dataset id, for messages. */
  id: string;
  dir: string;
  split: 'train' | 'test';
  channels: 1 | 3;
  size?: number;
  limit?: number;
  /** Class names; when absent, '0'..'k−1' with k = `classCount`, else max(label) + 1. */
  classes?: readonly string[];
  classCount?: number;
  /** What to tell a user whose files are missing or damaged. */
  fix: string;
}

/** Read `split` from an IDX directory and check that images and labels belong together. */
export function openIdxDataset(o: OpenIdxOptions): IdxDataset {
  if (!existsSync(o.dir) || !statSync(o.dir).isDirectory()) {
    throw new UserError(`dataset ${o.id}: directory ${o.dir} does not exist`, o.fix);
  }
  const locate = (kind: 'images' | 'labels'): string => {
    const path = findIdxFile(o.dir, o.split, kind);
    if (!path) {
      throw new UserError(`dataset ${o.id}: no ${o.split} ${kind} in ${o.dir} (looked for ${idxFileNames(o.split, kind).join(', ')})`, o.fix);
    }
    return path;
  };
  const imageFile = locate('images');
  const labelFile = locate('labels');
  const images = readIdxFile(imageFile, o.fix);
  const labels = readIdxFile(labelFile, o.fix);
  if (images.dims.length !== 3) {
    throw new UserError(`${imageFile}: expected images [n, rows, cols] (magic 0x00000803), found ${images.dims.length} dimensions`, o.fix);
  }
  if (labels.dims.length !== 1) {
    throw new UserError(`${labelFile}: expected labels [n] (magic 0x00000801), found ${labels.dims.length} dimensions`, o.fix);
  }
  const [n, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== n) {
    throw new UserError(`dataset ${o.id}: ${imageFile} holds ${n} images but ${labelFile} holds ${labels.dims[0]} labels`, o.fix);
  }
  const count = Math.min(n, o.limit ?? n);
  const labelBytes = labels.data.subarray(0, count);
  let maxLabel = -1;
  for (const label of labelBytes) if (label > maxLabel) maxLabel = label;
  const classes = o.classes ?? Array.from({ length: o.classCount ?? maxLabel + 1 }, (_, k) => String(k));
  if (maxLabel >= classes.length) {
    const at = labelBytes.indexOf(maxLabel);
    throw new UserError(`${labelFile}: label ${maxLabel} at index ${at} is outside 0..${classes.length - 1}`, o.fix);
  }
  return new IdxDataset({
    name: `${o.id}/${o.split}`,
    pixels: images.data.subarray(0, count * rows * cols),
    labels: labelBytes,
    rows,
    cols,
    classes,
    channels: o.channels,
    ...(o.size !== undefined ? { size: o.size } : {}),
  });
}

const commonOptions: OptionSchema = {
  split: { type: 'string', default: 'train', choices: ['train', 'test'], description: 'train (train-*) or test (t10k-*) files' },
  channels: { type: 'integer', default: 1, min: 1, max: 3, description: '1 for gray, 3 to replicate gray into RGB for colour backbones' },
  size: { type: 'integer', min: 4, max: 1024, description: 'resize images to size×size (bilinear); native size when unset' },
  limit: { type: 'integer', min: 1, description: 'use only the first N images (quick experiments)' },
};

function channelsOf(values: OptionValues, id: string): 1 | 3 {
  const c = values.channels as number;
  if (c !== 1 && c !== 3) throw new UserError(`dataset ${id}: option 'channels' must be 1 or 3, got ${c}`, 'pass channels=1 or channels=3');
  return c;
}

const fashionMnistOptions: OptionSchema = {
  dir: { type: 'string', default: FASHION_MNIST_DIR, description: 'folder with train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-*' },
  ...commonOptions,
};

export const fashionMnistDataset: DatasetDefinition = {
  id: 'fashion-mnist',
  description: 'Fashion-MNIST (70 000 28×28 gray clothing images, 10 classes) from IDX files',
  options: fashionMnistOptions,
  async open(values) {
    const o = resolveOptions(fashionMnistOptions, values, 'dataset fashion-mnist');
    return openIdxDataset({
      id: 'fashion-mnist',
      dir: o.dir as string,
      split: o.split as 'train' | 'test',
      channels: channelsOf(o, 'fashion-mnist'),
      size: o.size as number | undefined,
      limit: o.limit as number | undefined,
      classes: FASHION_MNIST_CLASSES,
      fix: `install it with 'apt-get install dataset-fashion-mnist', or point to a copy with --dataset-options dir=…`,
    });
  },
};

const idxOptions: OptionSchema = {
  dir: { type: 'string', description: 'folder holding the IDX files (required)' },
  ...commonOptions,
  classes: { type: 'integer', min: 1, max: 256, description: "number of classes (names '0'..'k−1'); default max label + 1" },
};

export const idxDataset: DatasetDefinition = {
  id: 'idx',
  description: 'any MNIST-style IDX image set (train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-*)',
  options: idxOptions,
  async open(values) {
    const o = resolveOptions(idxOptions, values, 'dataset idx');
    if (typeof o.dir !== 'string' || o.dir === '') {
      throw new UserError("dataset idx needs the option 'dir'", 'pass --dataset-options dir=<folder with train-images-idx3-ubyte(.gz) and train-labels-idx1-ubyte(.gz)>');
    }
    return openIdxDataset({
      id: 'idx',
      dir: o.dir,
      split: o.split as 'train' | 'test',
      channels: channelsOf(o, 'idx'),
      size: o.size as number | undefined,
      limit: o.limit as number | undefined,
      classCount: o.classes as number | undefined,
      fix: 'check --dataset-options dir=… points to a folder of intact MNIST-style IDX files',
    });
  },
};

import { UserError } from '../errors.js';
import { type OptionSchema, resolveOptions } from '../options.js';
import type { Dataset, DatasetDefinition, LabelledImage } from './dataset.js';
import {
  CIFAR_PIXELS,
  CIFAR_SIDE,
  type CifarLabelKind,
  type CifarPart,
  type CifarVariant,
  findCifarFiles,
  readCifarClasses,
  readCifarParts,
} from './cifar.js';
import { resizeBilinear } from './resize.js';

/**
 * CIFAR-10 / CIFAR-100 held as the files' own bytes (150 MB for a training set, no copy);
 * `get` turns an image's R, G, B planes into HWC and resizes it on the way out.
 */
export class CifarDataset implements Dataset {
  readonly name: string;
  readonly size: number;
  readonly classes: readonly string[];
  readonly shape: readonly [number, number, number];
  private readonly parts: readonly CifarPart[];
  /** Index of each part's first image, for mapping a dataset index to its file. */
  private readonly starts: number[];

  constructor(name: string, parts: readonly CifarPart[], classes: readonly string[], size: number, limit?: number) {
    this.name = name;
    this.parts = parts;
    this.classes = classes;
    this.shape = [size, size, 3];
    this.starts = [];
    let total = 0;
    for (const part of parts) {
      this.starts.push(total);
      total += part.labels.length;
    }
    this.size = Math.min(total, limit ?? total);
  }

  private locate(index: number): { part: CifarPart; local: number } {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`${this.name}: index ${index} is outside 0..${this.size - 1}`);
    }
    let p = this.parts.length - 1;
    while (this.starts[p]! > index) p--;
    return { part: this.parts[p]!, local: index - this.starts[p]! };
  }

  async get(index: number): Promise<LabelledImage> {
    const { part, local } = this.locate(index);
    const planes = part.bytes.subarray(part.offset + local * part.stride, part.offset + local * part.stride + CIFAR_PIXELS);
    const area = CIFAR_SIDE * CIFAR_SIDE;
    const hwc = new Uint8Array(CIFAR_PIXELS);
    for (let p = 0; p < area; p++) {
      hwc[3 * p] = planes[p]!;
      hwc[3 * p + 1] = planes[area + p]!;
      hwc[3 * p + 2] = planes[2 * area + p]!;
    }
    const [height, width] = this.shape;
    const image = height === CIFAR_SIDE && width === CIFAR_SIDE ? hwc : resizeBilinear(hwc, CIFAR_SIDE, CIFAR_SIDE, 3, height, width);
    return { image, label: part.labels[local]! };
  }

  labels(): Int32Array {
    const out = new Int32Array(this.size);
    this.parts.forEach((part, p) => {
      const start = this.starts[p]!;
      if (start < this.size) out.set(part.labels.subarray(0, this.size - start), start);
    });
    return out;
  }
}

function cifarOptions(variant: CifarVariant): OptionSchema {
  const folders = variant === 'cifar10' ? 'cifar-10-batches-bin/ or cifar-10-batches-py/' : 'cifar-100-binary/ or cifar-100-python/';
  return {
    root: { type: 'string', description: `folder holding the ${variant} files, or their ${folders} (required)` },
    split: { type: 'string', default: 'train', choices: ['train', 'test'], description: 'train or test images' },
    ...(variant === 'cifar100'
      ? { labels: { type: 'string', default: 'fine', choices: ['fine', 'coarse'], description: 'fine (100 classes) or coarse (20 superclasses) labels' } }
      : {}),
    size: { type: 'integer', min: 4, max: 1024, description: 'resize images to size×size (bilinear); 32 (native) when unset' },
    limit: { type: 'integer', min: 1, description: 'use only the first N images (quick experiments)' },
  };
}

function cifarDefinition(variant: CifarVariant): DatasetDefinition {
  const options = cifarOptions(variant);
  const archive = variant === 'cifar10' ? 'cifar-10-binary.tar.gz or cifar-10-python.tar.gz' : 'cifar-100-binary.tar.gz or cifar-100-python.tar.gz';
  const fix = `unpack ${archive} from https://www.cs.toronto.edu/~kriz/cifar.html and pass --dataset-options root=<that folder>`;
  return {
    id: variant,
    description:
      variant === 'cifar10'
        ? 'CIFAR-10 (60 000 32×32 colour images, 10 classes) from the binary or python distribution'
        : 'CIFAR-100 (60 000 32×32 colour images, 100 fine / 20 coarse classes) from the binary or python distribution',
    options,
    async open(values) {
      const o = resolveOptions(options, values, `dataset ${variant}`);
      if (typeof o.root !== 'string' || o.root === '') throw new UserError(`dataset ${variant} needs the option 'root'`, fix);
      const split = o.split as 'train' | 'test';
      const labels = (o.labels ?? 'fine') as CifarLabelKind;
      const files = findCifarFiles(variant, o.root, split, labels, fix);
      const parts = readCifarParts(variant, files, labels, fix);
      const classes = readCifarClasses(variant, files, labels, fix);
      return new CifarDataset(`${variant}/${split}`, parts, classes, (o.size as number | undefined) ?? CIFAR_SIDE, o.limit as number | undefined);
    },
  };
}

export const cifar10Dataset = cifarDefinition('cifar10');
export const cifar100Dataset = cifarDefinition('cifar100');

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { type OptionSchema, resolveOptions } from '../options.js';
import type { Dataset, DatasetDefinition, LabelledImage } from './dataset.js';
import { resizeBilinear } from './resize.js';
import { Stl10ImageFile } from './stl10-images.js';

/**
 * STL-10 from its binary distribution (`stl10_binary/`): `{train,test,unlabeled}_X.bin`
 * hold 96×96×3 images (column-major planes, see stl10-images.ts), `{train,test}_y.bin` one
 * 1-based label byte per image (1..10), `class_names.txt` one name a line. Images stream
 * from disk; labels are read whole (a few KB). Unlabelled images have label −1.
 */
export const STL10_SIDE = 96;
export const STL10_CLASS_COUNT = 10;
export const STL10_FOLDER = 'stl10_binary';

export type Stl10Split = 'train' | 'test' | 'unlabeled';

export class Stl10Dataset implements Dataset {
  readonly name: string;
  readonly size: number;
  readonly classes: readonly string[];
  readonly shape: readonly [number, number, number];

  constructor(
    name: string,
    private readonly images: Stl10ImageFile,
    private readonly labelArray: Int32Array,
    classes: readonly string[],
    size: number,
  ) {
    this.name = name;
    this.size = labelArray.length;
    this.classes = classes;
    this.shape = [size, size, 3];
  }

  async get(index: number): Promise<LabelledImage> {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`${this.name}: index ${index} is outside 0..${this.size - 1}`);
    }
    const native = await this.images.read(index);
    const [height, width] = this.shape;
    const image = height === STL10_SIDE && width === STL10_SIDE ? native : resizeBilinear(native, STL10_SIDE, STL10_SIDE, 3, height, width);
    return { image, label: this.labelArray[index]! };
  }

  labels(): Int32Array {
    return this.labelArray.slice();
  }
}

export interface OpenStl10Options {
  root: string;
  split: Stl10Split;
  size?: number;
  limit?: number;
  fix: string;
}

/** The folder holding the split's files: `root` itself, or `root/stl10_binary`. */
function findStl10Dir(root: string, names: string[], fix: string): string {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UserError(`dataset stl10: directory ${root} does not exist`, fix);
  for (const dir of [root, join(root, STL10_FOLDER)]) {
    const present = names.filter((name) => existsSync(join(dir, name)));
    if (present.length === names.length) return dir;
    if (present.length > 0) {
      throw new UserError(`dataset stl10: ${dir} holds ${present.join(', ')} but not ${names.filter((n) => !present.includes(n)).join(', ')}`, fix);
    }
  }
  throw new UserError(`dataset stl10: no ${names.join(', ')} in ${root} or ${join(root, STL10_FOLDER)}`, fix);
}

/** 1-based label bytes → 0-based class indexes, refusing anything outside 1..10. */
function readStl10Labels(file: string, count: number, fix: string): Int32Array {
  const bytes = readFileSync(file);
  if (bytes.length !== count) {
    throw new UserError(`${file} holds ${bytes.length} labels but its images file holds ${count} images`, fix);
  }
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = bytes[i]!;
    if (label < 1 || label > STL10_CLASS_COUNT) {
      throw new UserError(`${file}: label ${label} of image ${i} is outside 1..${STL10_CLASS_COUNT}`, fix);
    }
    labels[i] = label - 1;
  }
  return labels;
}

function readStl10Classes(dir: string, fix: string): string[] {
  const file = join(dir, 'class_names.txt');
  if (!existsSync(file)) return Array.from({ length: STL10_CLASS_COUNT }, (_, k) => String(k));
  const names = readFileSync(file, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
  if (names.length !== STL10_CLASS_COUNT) throw new UserError(`${file} names ${names.length} classes, STL-10 has ${STL10_CLASS_COUNT}`, fix);
  return names;
}

export function openStl10Dataset(o: OpenStl10Options): Stl10Dataset {
  const imageName = `${o.split}_X.bin`;
  const labelName = o.split === 'unlabeled' ? undefined : `${o.split}_y.bin`;
  const dir = findStl10Dir(o.root, labelName ? [imageName, labelName] : [imageName], o.fix);
  const imageFile = join(dir, imageName);
  const record = STL10_SIDE * STL10_SIDE * 3;
  const bytes = statSync(imageFile).size;
  if (bytes === 0 || bytes % record !== 0) {
    throw new UserError(`${imageFile} is truncated or not an STL-10 images file: ${bytes} bytes is not a multiple of the ${record}-byte image (96×96×3)`, o.fix);
  }
  const count = bytes / record;
  let labels = labelName ? readStl10Labels(join(dir, labelName), count, o.fix) : new Int32Array(count).fill(-1);
  if (o.limit !== undefined && o.limit < count) labels = labels.slice(0, o.limit);
  return new Stl10Dataset(`stl10/${o.split}`, new Stl10ImageFile(imageFile, count, STL10_SIDE, o.fix), labels, readStl10Classes(dir, o.fix), o.size ?? STL10_SIDE);
}

const stl10Options: OptionSchema = {
  root: { type: 'string', description: `folder holding the STL-10 binary files, or their ${STL10_FOLDER}/ (required)` },
  split: { type: 'string', default: 'train', choices: ['train', 'test', 'unlabeled'], description: 'train (5 000), test (8 000) or unlabeled (100 000, label −1) images' },
  size: { type: 'integer', min: 4, max: 1024, description: 'resize images to size×size (bilinear), e.g. 64; 96 (native) when unset' },
  limit: { type: 'integer', min: 1, description: 'use only the first N images (quick experiments)' },
};

const stl10Fix = `unpack stl10_binary.tar.gz from https://cs.stanford.edu/~acoates/stl10/ and pass --dataset-options root=<that folder>`;

export const stl10Dataset: DatasetDefinition = {
  id: 'stl10',
  description: 'STL-10 (96×96 colour images, 10 classes, plus 100 000 unlabelled) from the binary distribution, streamed from disk',
  options: stl10Options,
  async open(values) {
    const o = resolveOptions(stl10Options, values, 'dataset stl10');
    if (typeof o.root !== 'string' || o.root === '') throw new UserError("dataset stl10 needs the option 'root'", stl10Fix);
    return openStl10Dataset({
      root: o.root,
      split: o.split as Stl10Split,
      size: o.size as number | undefined,
      limit: o.limit as number | undefined,
      fix: stl10Fix,
    });
  },
};

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { NdArray, type PickleDict, type PickleValue, pickleIntegers, pickleText, unpickle } from './pickle.js';

/**
 * The two distributions of CIFAR-10 and CIFAR-100 on disk, read into `CifarPart`s:
 * - binary (`cifar-10-batches-bin`, `cifar-100-binary`): records of label byte(s) then
 *   3072 pixel bytes;
 * - python (`cifar-10-batches-py`, `cifar-100-python`, what torchvision downloads): pickled
 *   dicts holding a uint8 array [n, 3072] and label lists.
 * Either way an image is 3 planes (R, G, B) of 32×32 bytes, row-major.
 */
export const CIFAR_SIDE = 32;
export const CIFAR_PIXELS = CIFAR_SIDE * CIFAR_SIDE * 3;

export type CifarVariant = 'cifar10' | 'cifar100';
export type CifarLabelKind = 'fine' | 'coarse';
export type CifarFormat = 'binary' | 'python';

/** Images of one file: image i's planes are bytes[offset + i·stride, + 3072). */
export interface CifarPart {
  file: string;
  bytes: Uint8Array;
  offset: number;
  stride: number;
  labels: Int32Array;
}

export interface CifarFiles {
  format: CifarFormat;
  dir: string;
  /** Data files of the split, in order. */
  data: string[];
  /** Class-name files (binary: .txt per label kind; python: one pickled meta dict). */
  meta: string;
}

interface Layout {
  format: CifarFormat;
  /** Sub-folder the archive unpacks into, tried below `root` when the files are not in it. */
  folder: string;
  train: string[];
  test: string[];
  meta: (labels: CifarLabelKind) => string;
}

const batches = (suffix: string): string[] => [1, 2, 3, 4, 5].map((k) => `data_batch_${k}${suffix}`);

const LAYOUTS: Record<CifarVariant, Layout[]> = {
  cifar10: [
    { format: 'binary', folder: 'cifar-10-batches-bin', train: batches('.bin'), test: ['test_batch.bin'], meta: () => 'batches.meta.txt' },
    { format: 'python', folder: 'cifar-10-batches-py', train: batches(''), test: ['test_batch'], meta: () => 'batches.meta' },
  ],
  cifar100: [
    { format: 'binary', folder: 'cifar-100-binary', train: ['train.bin'], test: ['test.bin'], meta: (k) => `${k}_label_names.txt` },
    { format: 'python', folder: 'cifar-100-python', train: ['train'], test: ['test'], meta: () => 'meta' },
  ],
};

export const CIFAR_CLASS_COUNT = { cifar10: { fine: 10, coarse: 10 }, cifar100: { fine: 100, coarse: 20 } } as const;

/**
 * Find the split's files below `root` (the folder itself, or the archive's folder inside it),
 * binary first. Files of a layout that is only partly there are named in the error.
 */
export function findCifarFiles(variant: CifarVariant, root: string, split: 'train' | 'test', labels: CifarLabelKind, fix: string): CifarFiles {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new UserError(`dataset ${variant}: directory ${root} does not exist`, fix);
  }
  const expected: string[] = [];
  for (const layout of LAYOUTS[variant]) {
    const names = layout[split];
    for (const dir of [root, join(root, layout.folder)]) {
      const present = names.filter((name) => existsSync(join(dir, name)));
      if (present.length === names.length) {
        return { format: layout.format, dir, data: names.map((name) => join(dir, name)), meta: join(dir, layout.meta(labels)) };
      }
      if (present.length > 0) {
        const missing = names.filter((name) => !present.includes(name));
        throw new UserError(`dataset ${variant}: ${dir} holds ${present.join(', ')} but not ${missing.join(', ')} (${layout.format} distribution)`, fix);
      }
    }
    expected.push(`${layout.format}: ${names.join(', ')}`);
  }
  throw new UserError(`dataset ${variant}: no ${split} files in ${root} or its ${LAYOUTS[variant].map((l) => l.folder).join('/ or ')}/ (expected ${expected.join('; or ')})`, fix);
}

/** One binary file: records of `labelBytes` label bytes then 3072 pixels; `labelIndex` picks the label. */
function readBinaryPart(file: string, variant: CifarVariant, labels: CifarLabelKind, fix: string): CifarPart {
  const bytes = readFileSync(file);
  const labelBytes = variant === 'cifar10' ? 1 : 2;
  // CIFAR-100 records start with the coarse label, then the fine one.
  const labelIndex = variant === 'cifar100' && labels === 'fine' ? 1 : 0;
  const stride = labelBytes + CIFAR_PIXELS;
  if (bytes.length === 0 || bytes.length % stride !== 0) {
    throw new UserError(`${file} is truncated or not a ${variant} binary batch: ${bytes.length} bytes is not a multiple of the ${stride}-byte record`, fix);
  }
  const n = bytes.length / stride;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = bytes[i * stride + labelIndex]!;
  return { file, bytes, offset: labelBytes, stride, labels: out };
}

function readPickleDict(file: string, fix: string): PickleDict {
  const value = unpickle(readFileSync(file), file, fix);
  if (!(value instanceof Map)) throw new UserError(`${file}: the pickle holds no dict (is it a CIFAR python batch?)`, fix);
  return value;
}

/** One python batch: dict with 'data' (uint8 [n, 3072]) and 'labels' / 'fine_labels' / 'coarse_labels'. */
function readPicklePart(file: string, variant: CifarVariant, labels: CifarLabelKind, fix: string): CifarPart {
  const dict = readPickleDict(file, fix);
  const data = dict.get('data');
  if (!(data instanceof NdArray)) throw new UserError(`${file}: no numpy array under the key 'data'`, fix);
  const [n, width] = data.shape;
  if (data.shape.length !== 2 || width !== CIFAR_PIXELS || data.dtype.code !== 'u1' || data.fortranOrder) {
    throw new UserError(`${file}: 'data' is ${data.dtype.code} [${data.shape.join(', ')}]${data.fortranOrder ? ' in Fortran order' : ''}, expected uint8 [n, ${CIFAR_PIXELS}] in C order`, fix);
  }
  if (data.data.length !== n! * CIFAR_PIXELS) {
    throw new UserError(`${file} is truncated: 'data' [${n}, ${CIFAR_PIXELS}] needs ${n! * CIFAR_PIXELS} bytes, found ${data.data.length}`, fix);
  }
  const key = variant === 'cifar10' ? 'labels' : `${labels}_labels`;
  const list = pickleIntegers(dict.get(key));
  if (!list) throw new UserError(`${file}: no list of integer labels under the key '${key}'`, fix);
  if (list.length !== n) throw new UserError(`${file}: 'data' holds ${n} images but '${key}' holds ${list.length} labels`, fix);
  return { file, bytes: data.data, offset: 0, stride: CIFAR_PIXELS, labels: Int32Array.from(list) };
}

/** Read the split's data files and check every label against the class count. */
export function readCifarParts(variant: CifarVariant, files: CifarFiles, labels: CifarLabelKind, fix: string): CifarPart[] {
  const classes = CIFAR_CLASS_COUNT[variant][labels];
  return files.data.map((file) => {
    const part = files.format === 'binary' ? readBinaryPart(file, variant, labels, fix) : readPicklePart(file, variant, labels, fix);
    const bad = part.labels.findIndex((label) => label < 0 || label >= classes);
    if (bad >= 0) {
      const what = variant === 'cifar10' ? 'label' : `${labels} label`;
      throw new UserError(`${file}: ${what} ${part.labels[bad]} of image ${bad} is outside 0..${classes - 1}`, fix);
    }
    return part;
  });
}

/**
 * Class names from the meta file when it is there (a `.txt` with one name a line, or the
 * pickled meta dict), else '0'..'k−1'. A meta file with the wrong number of names is an error.
 */
export function readCifarClasses(variant: CifarVariant, files: CifarFiles, labels: CifarLabelKind, fix: string): string[] {
  const count = CIFAR_CLASS_COUNT[variant][labels];
  const numbered = Array.from({ length: count }, (_, k) => String(k));
  if (!existsSync(files.meta)) return numbered;
  let names: string[];
  if (files.format === 'binary') {
    names = readFileSync(files.meta, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
  } else {
    const key = variant === 'cifar10' ? 'label_names' : `${labels}_label_names`;
    const list: PickleValue | undefined = readPickleDict(files.meta, fix).get(key);
    const texts = Array.isArray(list) ? list.map((v) => pickleText(v)) : undefined;
    if (!texts || texts.some((s) => s === undefined)) throw new UserError(`${files.meta}: no list of names under the key '${key}'`, fix);
    names = texts as string[];
  }
  if (names.length !== count) {
    throw new UserError(`${files.meta} names ${names.length} classes, ${variant} ${labels} labels have ${count}`, fix);
  }
  return names;
}

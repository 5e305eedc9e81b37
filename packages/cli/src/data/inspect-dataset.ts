import type { Dataset } from '@sempair/core';

/** How many indexes a problem lists before it only counts (keeps the report one screen long). */
const LISTED = 5;

export interface ClassCount {
  label: number;
  name: string;
  count: number;
}

export interface DatasetProblem {
  kind: 'empty-dataset' | 'empty-class' | 'label-out-of-range' | 'wrong-image-size' | 'all-zero-image' | 'constant-image';
  message: string;
}

export interface DatasetReport {
  name: string;
  size: number;
  shape: [number, number, number];
  classes: ClassCount[];
  unlabelled: number;
  outOfRange: number;
  balance: { min: number; max: number; ratio: number | null };
  /** Where the labels came from: `labels()` (no decoding) or a pass over every image. */
  labelSource: 'labels()' | 'images';
  /** Pixel checks on a few images spread over the dataset (mean in [0, 1]; empty when none was checked). */
  sample: { indexes: number[]; meanPerChannel: number[] };
  problems: DatasetProblem[];
}

/**
 * Labels without holding images: the reader's `labels()` when it has one, otherwise one image
 * at a time (each decoded image is dropped before the next is read).
 */
async function readLabels(dataset: Dataset): Promise<{ labels: Int32Array; source: DatasetReport['labelSource'] }> {
  if (dataset.labels) return { labels: dataset.labels(), source: 'labels()' };
  const labels = new Int32Array(dataset.size);
  for (let i = 0; i < dataset.size; i++) labels[i] = (await dataset.get(i)).label;
  return { labels, source: 'images' };
}

/** `count` indexes evenly spread over [0, size), first and last included: deterministic, no seed needed. */
export function spreadIndexes(size: number, count: number): number[] {
  const n = Math.min(size, Math.max(0, count));
  if (n === 0) return [];
  if (n === 1) return [0];
  return Array.from({ length: n }, (_, k) => Math.round((k * (size - 1)) / (n - 1)));
}

/** "3, 9, 12, … (40 in all)": the first few of a list of indexes or names. */
function listed(items: ReadonlyArray<number | string>): string {
  const head = items.slice(0, LISTED).join(', ');
  return items.length > LISTED ? `${head}, … (${items.length} in all)` : head;
}

/**
 * Counts per class, unlabelled and out-of-range labels, class balance, and pixel checks on at
 * most `sampleSize` images. Streams: at most one image is decoded at a time.
 */
export async function inspectDataset(dataset: Dataset, sampleSize: number): Promise<DatasetReport> {
  const [h, w, c] = dataset.shape;
  const { labels, source } = await readLabels(dataset);
  const counts = new Array<number>(dataset.classes.length).fill(0);
  let unlabelled = 0;
  const outOfRange: number[] = [];
  labels.forEach((label, i) => {
    if (label === -1) unlabelled++;
    else if (label >= 0 && label < counts.length) counts[label]!++;
    else outOfRange.push(i);
  });

  const problems: DatasetProblem[] = [];
  if (dataset.size === 0) problems.push({ kind: 'empty-dataset', message: 'the dataset holds no images' });
  const empty = dataset.classes.filter((_, k) => counts[k] === 0);
  if (empty.length && dataset.size > 0) {
    problems.push({ kind: 'empty-class', message: `${empty.length} class(es) without images: ${listed(empty)}` });
  }
  if (outOfRange.length) {
    problems.push({
      kind: 'label-out-of-range',
      message: `${outOfRange.length} image(s) with a label outside 0..${counts.length - 1} (and not -1), at: ${listed(outOfRange)}`,
    });
  }

  // Pixel checks: decoded one at a time; an all-zero or single-value image is usually a broken
  // file or a reader reading the wrong offset.
  const indexes = spreadIndexes(dataset.size, sampleSize);
  const sums = new Array<number>(c).fill(0);
  let pixels = 0;
  const wrongSize: number[] = [];
  const zero: number[] = [];
  const constant: number[] = [];
  for (const i of indexes) {
    const { image } = await dataset.get(i);
    if (image.length !== h * w * c) {
      wrongSize.push(i);
      continue;
    }
    let min = 255;
    let max = 0;
    for (let p = 0; p < image.length; p++) {
      const v = image[p]!;
      if (v < min) min = v;
      if (v > max) max = v;
      sums[p % c]! += v;
    }
    pixels += h * w;
    if (max === 0) zero.push(i);
    else if (min === max) constant.push(i);
  }
  if (wrongSize.length) {
    problems.push({ kind: 'wrong-image-size', message: `${wrongSize.length} sampled image(s) are not ${h}×${w}×${c} bytes, at: ${listed(wrongSize)}` });
  }
  if (zero.length) problems.push({ kind: 'all-zero-image', message: `${zero.length} sampled image(s) are all black (all zero), at: ${listed(zero)}` });
  if (constant.length) problems.push({ kind: 'constant-image', message: `${constant.length} sampled image(s) have one value everywhere, at: ${listed(constant)}` });

  const present = counts.length ? counts : [0];
  const min = Math.min(...present);
  const max = Math.max(...present);
  return {
    name: dataset.name,
    size: dataset.size,
    shape: [h, w, c],
    classes: counts.map((count, label) => ({ label, name: dataset.classes[label]!, count })),
    unlabelled,
    outOfRange: outOfRange.length,
    balance: { min, max, ratio: min > 0 ? Number((max / min).toFixed(3)) : null },
    labelSource: source,
    sample: {
      indexes,
      meanPerChannel: pixels ? sums.map((s) => Number((s / pixels / 255).toFixed(4))) : [],
    },
    problems,
  };
}


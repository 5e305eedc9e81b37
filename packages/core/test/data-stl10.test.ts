import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { resizeBilinear } from '../src/data/resize.js';
import { stl10Dataset } from '../src/data/stl10-dataset.js';
import { Stl10ImageFile, columnMajorPlanesToHwc } from '../src/data/stl10-images.js';
import { UserError } from '../src/errors.js';
import { Rng } from '../src/rng.js';

const context = { rng: new Rng(0) };
const SIDE = 96;
const AREA = SIDE * SIDE;
const RECORD = 3 * AREA;
const NAMES = ['airplane', 'bird', 'car', 'cat', 'deer', 'dog', 'horse', 'monkey', 'ship', 'truck'];

/** Pixel (row y, column x, channel c) of image i: asymmetric in x and y, so a transposed read shows. */
const pixel = (i: number, y: number, x: number, c: number): number => (i * 29 + y * 5 + x * 2 + c * 70) % 256;

/** Image i exactly as STL-10 stores it: per channel, the 96×96 plane in column-major order, bytes [c][x][y]. */
function record(i: number): Uint8Array {
  const out = new Uint8Array(RECORD);
  for (let c = 0; c < 3; c++) for (let x = 0; x < SIDE; x++) for (let y = 0; y < SIDE; y++) out[c * AREA + x * SIDE + y] = pixel(i, y, x, c);
  return out;
}

function expectedHwc(i: number): Uint8Array {
  const out = new Uint8Array(RECORD);
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) for (let c = 0; c < 3; c++) out[(y * SIDE + x) * 3 + c] = pixel(i, y, x, c);
  return out;
}

function images(first: number, n: number): Buffer {
  return Buffer.concat(Array.from({ length: n }, (_, j) => Buffer.from(record(first + j))));
}

/** 1-based label bytes, as in train_y.bin. */
const labelByte = (i: number): number => 1 + ((i * 3) % 10);

const TRAIN = 5;
const TEST = 3;
const UNLABELED = 70; // more than two 32-image chunks

function writeStl10(dir: string): void {
  writeFileSync(join(dir, 'train_X.bin'), images(0, TRAIN));
  writeFileSync(join(dir, 'train_y.bin'), Buffer.from(Array.from({ length: TRAIN }, (_, i) => labelByte(i))));
  writeFileSync(join(dir, 'test_X.bin'), images(100, TEST));
  writeFileSync(join(dir, 'test_y.bin'), Buffer.from(Array.from({ length: TEST }, (_, j) => labelByte(100 + j))));
  writeFileSync(join(dir, 'unlabeled_X.bin'), images(1000, UNLABELED));
  writeFileSync(join(dir, 'class_names.txt'), `${NAMES.join('\n')}\n`);
}

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'sempair-stl10-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('columnMajorPlanesToHwc reads [c][x][y] bytes', (t) => {
  // A 2×2 image: channel 0 plane in column-major order is (y0x0, y1x0, y0x1, y1x1).
  const rec = Uint8Array.from([1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24]);
  // HWC: (y0,x0) = 1,11,21; (y0,x1) = 3,13,23; (y1,x0) = 2,12,22; (y1,x1) = 4,14,24
  t.deepEqual([...columnMajorPlanesToHwc(rec, 2)], [1, 11, 21, 3, 13, 23, 2, 12, 22, 4, 14, 24]);
});

test('stl10 train and test: exact HWC pixels, 0-based labels, class names', async (t) => {
  const dir = tempDir(t);
  writeStl10(dir);
  const train = await stl10Dataset.open({ root: dir }, context);
  t.is(train.size, TRAIN);
  t.deepEqual(train.shape, [96, 96, 3]);
  t.deepEqual(train.classes, NAMES);
  t.deepEqual([...train.labels!()], Array.from({ length: TRAIN }, (_, i) => labelByte(i) - 1));
  for (let i = 0; i < TRAIN; i++) {
    const { image, label } = await train.get(i);
    t.is(label, labelByte(i) - 1);
    for (const [y, x, c] of [[0, 1, 0], [1, 0, 0], [10, 80, 1], [95, 3, 2]] as const) {
      t.is(image[(y * SIDE + x) * 3 + c], pixel(i, y, x, c), `image ${i} pixel (row ${y}, col ${x}, ch ${c})`);
    }
    t.deepEqual(Buffer.from(image), Buffer.from(expectedHwc(i)));
  }
  const testSet = await stl10Dataset.open({ root: dir, split: 'test' }, context);
  t.is(testSet.size, TEST);
  const { image, label } = await testSet.get(2);
  t.is(label, labelByte(102) - 1);
  t.deepEqual(Buffer.from(image), Buffer.from(expectedHwc(102)));
  await t.throwsAsync(testSet.get(TEST), { instanceOf: RangeError });
});

test('stl10 unlabeled: label −1, streamed in chunks, concurrent reads agree; root may be the parent folder', async (t) => {
  const root = tempDir(t);
  const dir = join(root, 'stl10_binary');
  mkdirSync(dir);
  writeStl10(dir);
  const ds = await stl10Dataset.open({ root, split: 'unlabeled' }, context);
  t.is(ds.size, UNLABELED);
  t.deepEqual(ds.classes, NAMES);
  t.true(ds.labels!().every((label) => label === -1));
  const order = Array.from({ length: UNLABELED }, (_, k) => (k * 37) % UNLABELED);
  const items = await Promise.all(order.map((i) => ds.get(i)));
  items.forEach((item, k) => {
    t.is(item.label, -1);
    t.true(Buffer.from(item.image).equals(Buffer.from(expectedHwc(1000 + order[k]!))), `image ${order[k]}`);
  });
});

test('Stl10ImageFile evicts chunks and re-reads them correctly', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'unlabeled_X.bin');
  writeFileSync(file, images(0, 7));
  const reader = new Stl10ImageFile(file, 7, SIDE, 'fix', 2, 1);
  for (const i of [0, 6, 3, 1, 0, 5, 6, 2, 4]) t.deepEqual(Buffer.from(await reader.read(i)), Buffer.from(expectedHwc(i)), `image ${i}`);
});

test('size resizes on load (64, as the paper uses); limit; numbered classes without class_names.txt', async (t) => {
  const dir = tempDir(t);
  writeStl10(dir);
  rmSync(join(dir, 'class_names.txt'));
  const ds = await stl10Dataset.open({ root: dir, size: '64', limit: '3' }, context);
  t.deepEqual(ds.shape, [64, 64, 3]);
  t.is(ds.size, 3);
  t.deepEqual(ds.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  const { image } = await ds.get(2);
  t.deepEqual(Buffer.from(image), Buffer.from(resizeBilinear(expectedHwc(2), 96, 96, 3, 64, 64)));
});

test('errors name the file: no root, missing files, truncated images, label count and range', async (t) => {
  const dir = tempDir(t);
  await t.throwsAsync(stl10Dataset.open({}, context), { instanceOf: UserError, message: /needs the option 'root'/ });
  await t.throwsAsync(stl10Dataset.open({ root: dir }, context), { instanceOf: UserError, message: /no train_X\.bin, train_y\.bin in/ });
  await t.throwsAsync(stl10Dataset.open({ root: dir, split: 'unlabeled' }, context), { instanceOf: UserError, message: /no unlabeled_X\.bin in/ });

  writeStl10(dir);
  rmSync(join(dir, 'test_y.bin'));
  await t.throwsAsync(stl10Dataset.open({ root: dir, split: 'test' }, context), { instanceOf: UserError, message: /holds test_X\.bin but not test_y\.bin/ });

  writeStl10(dir);
  appendFileSync(join(dir, 'unlabeled_X.bin'), Buffer.alloc(10));
  await t.throwsAsync(stl10Dataset.open({ root: dir, split: 'unlabeled' }, context), {
    instanceOf: UserError,
    message: /unlabeled_X\.bin is truncated .*not a multiple of the 27648-byte image/,
  });

  writeFileSync(join(dir, 'train_y.bin'), Buffer.from([1, 2, 3]));
  await t.throwsAsync(stl10Dataset.open({ root: dir }, context), { instanceOf: UserError, message: /train_y\.bin holds 3 labels but its images file holds 5 images/ });
  writeFileSync(join(dir, 'train_y.bin'), Buffer.from([1, 2, 11, 3, 4]));
  await t.throwsAsync(stl10Dataset.open({ root: dir }, context), { instanceOf: UserError, message: /train_y\.bin: label 11 of image 2 is outside 1\.\.10/ });
  writeFileSync(join(dir, 'train_y.bin'), Buffer.from([0, 2, 1, 3, 4]));
  await t.throwsAsync(stl10Dataset.open({ root: dir }, context), { instanceOf: UserError, message: /train_y\.bin: label 0 of image 0/ });

  writeStl10(dir);
  writeFileSync(join(dir, 'class_names.txt'), 'a\nb\n');
  await t.throwsAsync(stl10Dataset.open({ root: dir }, context), { instanceOf: UserError, message: /class_names\.txt names 2 classes/ });
});

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { FASHION_MNIST_CLASSES, encodeIdx, fashionMnistDataset, idxDataset, loadImages, parseIdx } from '../src/data/index.js';
import { UserError } from '../src/errors.js';
import { Rng } from '../src/rng.js';

const context = { rng: new Rng(0) };

/** IDX bytes written by hand, exactly as the MNIST files are: big-endian magic, dims, data. */
function idxBytes(magic: number, dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((n, d) => header.writeUInt32BE(n, 4 + 4 * d));
  return Buffer.concat([header, data]);
}

/** n images of rows×cols where pixel p of image i is (i·7 + p) mod 256; labels i mod classes. */
function fixture(n: number, rows: number, cols: number, classes: number): { pixels: Uint8Array; labels: Uint8Array } {
  const pixels = new Uint8Array(n * rows * cols);
  for (let i = 0; i < n; i++) for (let p = 0; p < rows * cols; p++) pixels[i * rows * cols + p] = (i * 7 + p) % 256;
  const labels = Uint8Array.from({ length: n }, (_, i) => i % classes);
  return { pixels, labels };
}

function writeSet(dir: string, split: 'train' | 't10k', n: number, gzip: boolean, classes = 10, rows = 6, cols = 5): { pixels: Uint8Array; labels: Uint8Array } {
  const set = fixture(n, rows, cols, classes);
  const ext = gzip ? '.gz' : '';
  const pack = (b: Buffer): Buffer => (gzip ? gzipSync(b) : b);
  writeFileSync(join(dir, `${split}-images-idx3-ubyte${ext}`), pack(idxBytes(0x00000803, [n, rows, cols], set.pixels)));
  writeFileSync(join(dir, `${split}-labels-idx1-ubyte${ext}`), pack(idxBytes(0x00000801, [n], set.labels)));
  return set;
}

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'sempair-idx-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

for (const gzip of [true, false]) {
  test(`round trip through ${gzip ? 'gzipped' : 'raw'} IDX files`, async (t) => {
    const dir = tempDir(t);
    const train = writeSet(dir, 'train', 12, gzip, 4);
    const t10k = writeSet(dir, 't10k', 5, gzip, 4);
    const ds = await idxDataset.open({ dir }, context);
    t.is(ds.size, 12);
    t.deepEqual(ds.shape, [6, 5, 1]);
    t.deepEqual(ds.classes, ['0', '1', '2', '3']);
    t.deepEqual([...ds.labels!()], [...train.labels]);
    const { images, labels } = await loadImages(ds, [0, 11, 3]);
    t.deepEqual([...images.subarray(0, 30)], [...train.pixels.subarray(0, 30)]);
    t.deepEqual([...images.subarray(30, 60)], [...train.pixels.subarray(11 * 30, 12 * 30)]);
    t.deepEqual([...labels], [0, 3, 3]);
    const test_ = await idxDataset.open({ dir, split: 'test' }, context);
    t.is(test_.size, 5);
    t.deepEqual([...(await test_.get(4)).image], [...t10k.pixels.subarray(4 * 30)]);
  });
}

test('encodeIdx writes the real format', (t) => {
  const data = Uint8Array.from([1, 2, 3, 4, 5, 6]);
  t.deepEqual([...encodeIdx([1, 2, 3], data)], [...idxBytes(0x803, [1, 2, 3], data)]);
  t.deepEqual([...encodeIdx([6], data)], [...idxBytes(0x801, [6], data)]);
  const parsed = parseIdx(encodeIdx([2, 3], data), 'x');
  t.deepEqual(parsed.dims, [2, 3]);
  t.deepEqual([...parsed.data], [...data]);
});

test('fashion-mnist names its classes; channels=3 replicates gray', async (t) => {
  const dir = tempDir(t);
  const train = writeSet(dir, 'train', 10, true);
  const ds = await fashionMnistDataset.open({ dir, channels: '3' }, context);
  t.deepEqual(ds.classes, FASHION_MNIST_CLASSES);
  t.is(ds.classes[9], 'Ankle boot');
  t.deepEqual(ds.shape, [6, 5, 3]);
  const { image } = await ds.get(2);
  t.is(image.length, 90);
  for (let p = 0; p < 30; p++) {
    const g = train.pixels[2 * 30 + p];
    t.deepEqual([image[3 * p], image[3 * p + 1], image[3 * p + 2]], [g, g, g]);
  }
  await t.throwsAsync(fashionMnistDataset.open({ dir, channels: 2 }, context), { instanceOf: UserError, message: /channels/ });
});

test('size resizes bilinearly; limit keeps the first images', async (t) => {
  const dir = tempDir(t);
  const n = 3;
  const pixels = new Uint8Array(n * 28 * 28).fill(200);
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), idxBytes(0x803, [n, 28, 28], pixels));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes(0x801, [n], Uint8Array.from([0, 1, 2])));
  const ds = await fashionMnistDataset.open({ dir, size: 32, limit: 2 }, context);
  t.deepEqual(ds.shape, [32, 32, 1]);
  t.is(ds.size, 2);
  const { image } = await ds.get(1);
  t.is(image.length, 32 * 32);
  t.true(image.every((v) => v === 200));
});

test('a truncated file is a UserError naming the file', async (t) => {
  const dir = tempDir(t);
  writeSet(dir, 'train', 8, false);
  const file = join(dir, 'train-images-idx3-ubyte');
  const whole = idxBytes(0x803, [8, 6, 5], fixture(8, 6, 5, 10).pixels);
  writeFileSync(file, whole.subarray(0, whole.length - 7));
  const error = await t.throwsAsync(idxDataset.open({ dir }, context));
  t.true(error instanceof UserError);
  t.true(error!.message.includes(file), error!.message);
  t.regex(error!.message, /truncated/);
  t.truthy((error as UserError).fix);
});

test('a truncated gzip file is a UserError naming the file', async (t) => {
  const dir = tempDir(t);
  writeSet(dir, 'train', 8, true);
  const file = join(dir, 'train-labels-idx1-ubyte.gz');
  const gz = gzipSync(idxBytes(0x801, [8], fixture(8, 6, 5, 10).labels));
  writeFileSync(file, gz.subarray(0, gz.length - 6));
  const error = await t.throwsAsync(idxDataset.open({ dir }, context), { instanceOf: UserError });
  t.true(error!.message.includes(file), error!.message);
});

test('a bad magic number is a UserError', async (t) => {
  const dir = tempDir(t);
  writeSet(dir, 'train', 4, false);
  const file = join(dir, 'train-images-idx3-ubyte');
  writeFileSync(file, idxBytes(0x12340803, [4, 6, 5], new Uint8Array(120)));
  const error = await t.throwsAsync(idxDataset.open({ dir }, context), { instanceOf: UserError });
  t.true(error!.message.includes(file));
  t.regex(error!.message, /magic/);
  t.throws(() => parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]), 'floats.idx'), { instanceOf: UserError, message: /element type/ });
});

test('images and labels swapped, or of different counts, are UserErrors', async (t) => {
  const dir = tempDir(t);
  writeSet(dir, 'train', 4, false);
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes(0x801, [3], Uint8Array.from([0, 1, 2])));
  await t.throwsAsync(idxDataset.open({ dir }, context), { instanceOf: UserError, message: /4 images but .* 3 labels/ });
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes(0x803, [4, 6, 5], new Uint8Array(120)));
  await t.throwsAsync(idxDataset.open({ dir }, context), { instanceOf: UserError, message: /expected labels/ });
});

test('labels out of range are UserErrors', async (t) => {
  const dir = tempDir(t);
  writeSet(dir, 'train', 4, false);
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes(0x801, [4], Uint8Array.from([0, 1, 12, 3])));
  await t.throwsAsync(fashionMnistDataset.open({ dir }, context), { instanceOf: UserError, message: /label 12 at index 2/ });
  await t.throwsAsync(idxDataset.open({ dir, classes: 10 }, context), { instanceOf: UserError, message: /label 12/ });
  const ds = await idxDataset.open({ dir }, context);
  t.is(ds.classes.length, 13);
});

test('a missing directory or file says how to get the data', async (t) => {
  const missing = await t.throwsAsync(fashionMnistDataset.open({ dir: '/nonexistent/fashion' }, context), { instanceOf: UserError });
  t.true(missing!.message.includes('/nonexistent/fashion'));
  t.regex((missing as UserError).fix ?? '', /apt-get install dataset-fashion-mnist/);
  t.regex((missing as UserError).fix ?? '', /--dataset-options dir=/);
  const dir = tempDir(t);
  const noFiles = await t.throwsAsync(idxDataset.open({ dir }, context), { instanceOf: UserError });
  t.regex(noFiles!.message, /train-images-idx3-ubyte/);
  const noDir = await t.throwsAsync(idxDataset.open({}, context), { instanceOf: UserError });
  t.regex((noDir as UserError).fix ?? '', /dir=/);
});

const REAL = '/usr/share/datasets/fashion-mnist/';
(existsSync(join(REAL, 't10k-labels-idx1-ubyte.gz')) ? test : test.skip)('reads the installed Fashion-MNIST test split', async (t) => {
  const ds = await fashionMnistDataset.open({ split: 'test' }, context);
  t.is(ds.size, 10000);
  t.deepEqual(ds.shape, [28, 28, 1]);
  const counts = new Array(10).fill(0);
  for (const l of ds.labels!()) counts[l]++;
  t.deepEqual(counts, new Array(10).fill(1000));
  t.is((await ds.get(0)).label, 9); // the first test image is an ankle boot
});

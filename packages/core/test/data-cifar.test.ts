import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { binaryDatasets } from '../src/data/binary-datasets.js';
import { cifar100Dataset, cifar10Dataset } from '../src/data/cifar-dataset.js';
import { builtinDatasets } from '../src/data/index.js';
import type { Dataset } from '../src/data/dataset.js';
import { resizeBilinear } from '../src/data/resize.js';
import { UserError } from '../src/errors.js';
import { Rng } from '../src/rng.js';

const context = { rng: new Rng(0) };
const SIDE = 32;
const AREA = SIDE * SIDE;

/** Pixel (row r, column c, channel k) of image i, with i the index within the whole split; asymmetric in r and c. */
const pixel = (i: number, r: number, c: number, k: number): number => (i * 37 + r * 7 + c * 3 + k * 101) % 256;
const fineLabel = (i: number): number => (i * 13) % 100;
const coarseLabel = (i: number): number => (i * 3) % 20;
const label10 = (i: number): number => (i * 7) % 10;

/** The 3072 bytes of image i as CIFAR stores them: R plane, G plane, B plane, each row-major. */
function planes(i: number): Uint8Array {
  const out = new Uint8Array(3 * AREA);
  for (let k = 0; k < 3; k++) for (let r = 0; r < SIDE; r++) for (let c = 0; c < SIDE; c++) out[k * AREA + r * SIDE + c] = pixel(i, r, c, k);
  return out;
}

function expectedHwc(i: number): Uint8Array {
  const out = new Uint8Array(3 * AREA);
  for (let r = 0; r < SIDE; r++) for (let c = 0; c < SIDE; c++) for (let k = 0; k < 3; k++) out[(r * SIDE + c) * 3 + k] = pixel(i, r, c, k);
  return out;
}

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'sempair-cifar-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Images first..first+n−1 as binary records, each led by the label bytes `labelsOf(i)`. */
function binaryRecords(first: number, n: number, labelsOf: (i: number) => number[]): Buffer {
  const parts: Buffer[] = [];
  for (let i = first; i < first + n; i++) parts.push(Buffer.from(labelsOf(i)), Buffer.from(planes(i)));
  return Buffer.concat(parts);
}

const PER_BATCH = 3;
const TEST_IMAGES = 4;
const CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

function writeCifar10Binary(dir: string): void {
  for (let b = 0; b < 5; b++) writeFileSync(join(dir, `data_batch_${b + 1}.bin`), binaryRecords(b * PER_BATCH, PER_BATCH, (i) => [label10(i)]));
  writeFileSync(join(dir, 'test_batch.bin'), binaryRecords(100, TEST_IMAGES, (i) => [label10(i)]));
  // The real file ends in blank lines.
  writeFileSync(join(dir, 'batches.meta.txt'), `${CIFAR10_NAMES.join('\n')}\n\n`);
}

function writeCifar100Binary(dir: string, n = 5): void {
  writeFileSync(join(dir, 'train.bin'), binaryRecords(0, n, (i) => [coarseLabel(i), fineLabel(i)]));
  writeFileSync(join(dir, 'test.bin'), binaryRecords(100, 2, (i) => [coarseLabel(i), fineLabel(i)]));
  writeFileSync(join(dir, 'coarse_label_names.txt'), `${Array.from({ length: 20 }, (_, k) => `super${k}`).join('\n')}\n`);
}

async function checkImages(t: import('ava').ExecutionContext, ds: Dataset, firstIndex: number, labelOf: (i: number) => number): Promise<void> {
  for (let j = 0; j < ds.size; j++) {
    const { image, label } = await ds.get(j);
    const i = firstIndex + j;
    t.is(label, labelOf(i), `label of image ${j}`);
    t.is(image.length, 3 * AREA);
    // Spot checks spell out the HWC order; the whole image must match too.
    for (const [r, c, k] of [[0, 0, 0], [0, 1, 0], [1, 0, 0], [5, 17, 1], [31, 30, 2]] as const) {
      t.is(image[(r * SIDE + c) * 3 + k], pixel(i, r, c, k), `image ${j} pixel (${r}, ${c}, ${k})`);
    }
    t.deepEqual(Buffer.from(image), Buffer.from(expectedHwc(i)));
  }
}

test('cifar10, cifar100 and stl10 are registered built-ins', (t) => {
  t.deepEqual(binaryDatasets.map((d) => d.id), ['cifar10', 'cifar100', 'stl10']);
  t.true(['cifar10', 'cifar100', 'stl10'].every((id) => builtinDatasets.some((d) => d.id === id)));
});

test('cifar10 binary: all five batches in order, HWC pixels, labels, class names, test split', async (t) => {
  const dir = tempDir(t);
  writeCifar10Binary(dir);
  const ds = await cifar10Dataset.open({ root: dir }, context);
  t.is(ds.size, 5 * PER_BATCH);
  t.deepEqual(ds.shape, [32, 32, 3]);
  t.deepEqual(ds.classes, CIFAR10_NAMES);
  t.deepEqual([...ds.labels!()], Array.from({ length: 15 }, (_, i) => label10(i)));
  await checkImages(t, ds, 0, label10);
  const testSet = await cifar10Dataset.open({ root: dir, split: 'test' }, context);
  t.is(testSet.size, TEST_IMAGES);
  await checkImages(t, testSet, 100, label10);
});

test('cifar10 finds the archive folder below root; classes are numbered without batches.meta.txt; limit', async (t) => {
  const root = tempDir(t);
  const dir = join(root, 'cifar-10-batches-bin');
  mkdirSync(dir);
  writeCifar10Binary(dir);
  rmSync(join(dir, 'batches.meta.txt'));
  const ds = await cifar10Dataset.open({ root, limit: '7' }, context);
  t.is(ds.size, 7);
  t.deepEqual(ds.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  t.is(ds.labels!().length, 7);
  t.deepEqual(Buffer.from((await ds.get(6)).image), Buffer.from(expectedHwc(6)));
  await t.throwsAsync(ds.get(7), { instanceOf: RangeError });
});

test('cifar100 binary: fine labels by default, coarse on request', async (t) => {
  const dir = tempDir(t);
  writeCifar100Binary(dir);
  const fine = await cifar100Dataset.open({ root: dir }, context);
  t.is(fine.size, 5);
  t.is(fine.classes.length, 100);
  t.is(fine.classes[42], '42');
  t.deepEqual([...fine.labels!()], [0, 1, 2, 3, 4].map(fineLabel));
  await checkImages(t, fine, 0, fineLabel);
  const coarse = await cifar100Dataset.open({ root: dir, labels: 'coarse', split: 'test' }, context);
  t.is(coarse.classes.length, 20);
  t.is(coarse.classes[3], 'super3');
  await checkImages(t, coarse, 100, coarseLabel);
});

test('size resizes on load, bilinearly', async (t) => {
  const dir = tempDir(t);
  writeCifar100Binary(dir);
  const ds = await cifar100Dataset.open({ root: dir, size: '16' }, context);
  t.deepEqual(ds.shape, [16, 16, 3]);
  const { image } = await ds.get(3);
  t.deepEqual(Buffer.from(image), Buffer.from(resizeBilinear(expectedHwc(3), 32, 32, 3, 16, 16)));
});

test('errors name the file: truncated, missing batch, label out of range, wrong meta, no files, no root', async (t) => {
  const dir = tempDir(t);
  await t.throwsAsync(cifar10Dataset.open({}, context), { instanceOf: UserError, message: /needs the option 'root'/ });
  await t.throwsAsync(cifar10Dataset.open({ root: dir }, context), {
    instanceOf: UserError,
    message: /no train files .*data_batch_1\.bin.*data_batch_1, /,
  });
  await t.throwsAsync(cifar10Dataset.open({ root: join(dir, 'nope') }, context), { instanceOf: UserError, message: /does not exist/ });

  writeCifar10Binary(dir);
  rmSync(join(dir, 'data_batch_3.bin'));
  await t.throwsAsync(cifar10Dataset.open({ root: dir }, context), { instanceOf: UserError, message: /but not data_batch_3\.bin/ });

  writeCifar10Binary(dir);
  appendFileSync(join(dir, 'data_batch_2.bin'), Buffer.alloc(100));
  await t.throwsAsync(cifar10Dataset.open({ root: dir }, context), {
    instanceOf: UserError,
    message: /data_batch_2\.bin is truncated .*not a multiple of the 3073-byte record/,
  });

  writeCifar10Binary(dir);
  writeFileSync(join(dir, 'data_batch_4.bin'), binaryRecords(9, PER_BATCH, (i) => [i === 10 ? 10 : 0]));
  await t.throwsAsync(cifar10Dataset.open({ root: dir }, context), {
    instanceOf: UserError,
    message: /data_batch_4\.bin: label 10 of image 1 is outside 0\.\.9/,
  });

  writeCifar10Binary(dir);
  writeFileSync(join(dir, 'batches.meta.txt'), 'a\nb\n');
  await t.throwsAsync(cifar10Dataset.open({ root: dir }, context), { instanceOf: UserError, message: /batches\.meta\.txt names 2 classes/ });

  const hundred = tempDir(t);
  writeCifar100Binary(hundred);
  // A CIFAR-10-sized record in a CIFAR-100 file: 3073 is not a multiple of 3074.
  writeFileSync(join(hundred, 'train.bin'), binaryRecords(0, 1, () => [0]));
  await t.throwsAsync(cifar100Dataset.open({ root: hundred }, context), { instanceOf: UserError, message: /train\.bin is truncated/ });
  writeFileSync(join(hundred, 'train.bin'), binaryRecords(0, 2, () => [20, 5]));
  await t.throwsAsync(cifar100Dataset.open({ root: hundred, labels: 'coarse' }, context), {
    instanceOf: UserError,
    message: /train\.bin: coarse label 20 of image 0 is outside 0\.\.19/,
  });
});

// ---- the python (pickle) distribution ----

/**
 * A pickle written the way the real files are (Python 2 cPickle, protocol 2): byte-string keys
 * as SHORT_BINSTRING, the pixel bytes as BINSTRING inside numpy.core.multiarray._reconstruct
 * + BUILD, labels as a list built with MARK … APPENDS, memo puts after every object.
 */
class Py2Pickler {
  private readonly chunks: Buffer[] = [];
  private memo = 0;
  private op(...bytes: number[]): void {
    this.chunks.push(Buffer.from(bytes));
  }
  private put(): void {
    this.op(0x71, this.memo++ & 0xff); // BINPUT
  }
  str(bytes: Buffer): void {
    if (bytes.length < 256) this.op(0x55, bytes.length); // SHORT_BINSTRING
    else {
      const n = Buffer.alloc(4);
      n.writeInt32LE(bytes.length);
      this.chunks.push(Buffer.from([0x54]), n); // BINSTRING
    }
    this.chunks.push(bytes);
    this.put();
  }
  int(n: number): void {
    if (n < 256) this.op(0x4b, n); // BININT1
    else if (n < 65536) this.op(0x4d, n & 0xff, n >> 8); // BININT2
    else {
      const b = Buffer.alloc(4);
      b.writeInt32LE(n);
      this.chunks.push(Buffer.from([0x4a]), b); // BININT
    }
  }
  list(items: (number | Buffer)[]): void {
    this.op(0x5d); // EMPTY_LIST
    this.put();
    // cPickle batches appends by 1000.
    for (let start = 0; start < items.length; start += 1000) {
      this.op(0x28); // MARK
      for (const item of items.slice(start, start + 1000)) {
        if (typeof item === 'number') this.int(item);
        else this.str(item);
      }
      this.op(0x65); // APPENDS
    }
  }
  global(module: string, name: string): void {
    this.chunks.push(Buffer.from(`c${module}\n${name}\n`, 'latin1'));
    this.put();
  }
  uint8Array(rows: number, cols: number, data: Uint8Array): void {
    this.global('numpy.core.multiarray', '_reconstruct');
    this.global('numpy', 'ndarray');
    this.int(0);
    this.op(0x85); // TUPLE1
    this.put();
    this.str(Buffer.from('b'));
    this.op(0x87, 0x52); // TUPLE3, REDUCE
    this.put();
    this.op(0x28); // MARK (state tuple)
    this.int(1);
    this.int(rows);
    this.int(cols);
    this.op(0x86); // TUPLE2 (shape)
    this.put();
    this.global('numpy', 'dtype');
    this.str(Buffer.from('u1'));
    this.op(0x4b, 0, 0x4b, 1, 0x87, 0x52); // (0, 1) as Python 2 ints, TUPLE3, REDUCE
    this.put();
    this.op(0x28, 0x4b, 3); // MARK, 3
    this.str(Buffer.from('|'));
    this.op(0x4e, 0x4e, 0x4e); // NONE ×3
    this.chunks.push(Buffer.from([0x4a, 0xff, 0xff, 0xff, 0xff, 0x4a, 0xff, 0xff, 0xff, 0xff])); // BININT −1 ×2
    this.op(0x4b, 0, 0x74, 0x62); // 0, TUPLE, BUILD (dtype state)
    this.op(0x89); // NEWFALSE (C order)
    this.str(Buffer.from(data));
    this.op(0x74, 0x62); // TUPLE, BUILD (array state)
  }
  /** A dict of byte-string keys, as CIFAR's batches are. */
  dict(entries: [string, (p: Py2Pickler) => void][]): Buffer {
    this.op(0x80, 2, 0x7d); // PROTO 2, EMPTY_DICT
    this.put();
    this.op(0x28); // MARK
    for (const [key, write] of entries) {
      this.str(Buffer.from(key));
      write(this);
    }
    this.op(0x75, 0x2e); // SETITEMS, STOP
    return Buffer.concat(this.chunks);
  }
}

function imagesBytes(first: number, n: number): Uint8Array {
  const out = new Uint8Array(n * 3 * AREA);
  for (let j = 0; j < n; j++) out.set(planes(first + j), j * 3 * AREA);
  return out;
}

function py2Batch(first: number, n: number, labelKeys: [string, (i: number) => number][]): Buffer {
  const indexes = Array.from({ length: n }, (_, j) => first + j);
  return new Py2Pickler().dict([
    ['batch_label', (p) => p.str(Buffer.from('training batch 1 of 5'))],
    ...labelKeys.map(([key, of]): [string, (p: Py2Pickler) => void] => [key, (p) => p.list(indexes.map(of))]),
    ['data', (p) => p.uint8Array(n, 3 * AREA, imagesBytes(first, n))],
    ['filenames', (p) => p.list(indexes.map((i) => Buffer.from(`image_${i}.png`)))],
  ]);
}

/** The python distribution of CIFAR-10 and CIFAR-100 as Python 2 wrote it, by hand. */
function writePy2(root: string): void {
  const ten = join(root, 'cifar-10-batches-py');
  mkdirSync(ten);
  for (let b = 0; b < 5; b++) writeFileSync(join(ten, `data_batch_${b + 1}`), py2Batch(b * PER_BATCH, PER_BATCH, [['labels', label10]]));
  writeFileSync(join(ten, 'test_batch'), py2Batch(100, TEST_IMAGES, [['labels', label10]]));
  const names = (list: string[]) => (p: Py2Pickler) => p.list(list.map((s) => Buffer.from(s)));
  writeFileSync(join(ten, 'batches.meta'), new Py2Pickler().dict([['label_names', names(CIFAR10_NAMES)], ['num_cases_per_batch', (p) => p.int(10000)]]));
  const hundred = join(root, 'cifar-100-python');
  mkdirSync(hundred);
  const keys: [string, (i: number) => number][] = [['fine_labels', fineLabel], ['coarse_labels', coarseLabel]];
  writeFileSync(join(hundred, 'train'), py2Batch(0, 5, keys));
  writeFileSync(join(hundred, 'test'), py2Batch(100, 2, keys));
  writeFileSync(
    join(hundred, 'meta'),
    new Py2Pickler().dict([
      ['fine_label_names', names(Array.from({ length: 100 }, (_, k) => `fine${k}`))],
      ['coarse_label_names', names(Array.from({ length: 20 }, (_, k) => `coarse${k}`))],
    ]),
  );
}

/** The same files written by Python 3 + numpy with `pickle.dump(d, f, protocol=…)`, as torchvision users may re-save them. */
const PYTHON_WRITER = String.raw`
import os, pickle, sys
import numpy as np
root, protocol = sys.argv[1], int(sys.argv[2])
def images(first, n):
    i = np.arange(first, first + n).reshape(n, 1, 1, 1)
    k = np.arange(3).reshape(1, 3, 1, 1)
    r = np.arange(32).reshape(1, 1, 32, 1)
    c = np.arange(32).reshape(1, 1, 1, 32)
    return ((i * 37 + r * 7 + c * 3 + k * 101) % 256).astype(np.uint8).reshape(n, 3072)
def dump(path, d):
    with open(path, 'wb') as f:
        pickle.dump(d, f, protocol=protocol)
def batch(first, n, label_keys):
    d = {b'batch_label': b'training batch', b'data': images(first, n), b'filenames': [b'x.png'] * n}
    for key, of in label_keys:
        d[key] = [of(i) for i in range(first, first + n)]
    return d
ten = os.path.join(root, 'cifar-10-batches-py'); os.makedirs(ten)
l10 = [(b'labels', lambda i: (i * 7) % 10)]
for b in range(5):
    dump(os.path.join(ten, 'data_batch_%d' % (b + 1)), batch(b * 3, 3, l10))
dump(os.path.join(ten, 'test_batch'), batch(100, 4, l10))
dump(os.path.join(ten, 'batches.meta'), {b'label_names': [s.encode() for s in ${JSON.stringify(CIFAR10_NAMES)}], b'num_cases_per_batch': 10000})
hundred = os.path.join(root, 'cifar-100-python'); os.makedirs(hundred)
l100 = [(b'fine_labels', lambda i: (i * 13) % 100), (b'coarse_labels', lambda i: (i * 3) % 20)]
dump(os.path.join(hundred, 'train'), batch(0, 5, l100))
dump(os.path.join(hundred, 'test'), batch(100, 2, l100))
dump(os.path.join(hundred, 'meta'), {b'fine_label_names': ['fine%d' % k for k in range(100)], b'coarse_label_names': ['coarse%d' % k for k in range(20)]})
`;

const hasNumpy = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

/**
 * Writers of the python distribution: by hand always, and by real Python with numpy (which .ci/run
 * installs); without numpy those cases show as skipped in the test report, never as passed.
 */
const pickleWriters: [string, (root: string) => void, boolean][] = [
  ['hand-made Python 2 pickle', writePy2, true],
  ...[2, 4, 5].map((protocol): [string, (root: string) => void, boolean] => [
    `python3 pickle protocol ${protocol}`,
    (root) => {
      const run = spawnSync('/usr/bin/python3', ['-c', PYTHON_WRITER, root, String(protocol)], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
    },
    hasNumpy,
  ]),
];

for (const [what, write, runnable] of pickleWriters) {
  (runnable ? test : test.skip)(`cifar10 and cifar100 python distribution (${what}${runnable ? '' : ': needs /usr/bin/python3 with numpy'})`, async (t) => {
    const root = tempDir(t);
    write(root);
    const ten = await cifar10Dataset.open({ root }, context);
    t.is(ten.size, 5 * PER_BATCH);
    t.deepEqual(ten.shape, [32, 32, 3]);
    t.deepEqual(ten.classes, CIFAR10_NAMES);
    t.deepEqual([...ten.labels!()], Array.from({ length: 15 }, (_, i) => label10(i)));
    await checkImages(t, ten, 0, label10);
    await checkImages(t, await cifar10Dataset.open({ root, split: 'test' }, context), 100, label10);

    const fine = await cifar100Dataset.open({ root }, context);
    t.is(fine.classes[7], 'fine7');
    await checkImages(t, fine, 0, fineLabel);
    const coarse = await cifar100Dataset.open({ root, labels: 'coarse', split: 'test', size: '8' }, context);
    t.is(coarse.classes[19], 'coarse19');
    t.deepEqual(coarse.shape, [8, 8, 3]);
    t.deepEqual([...coarse.labels!()], [100, 101].map(coarseLabel));
    t.deepEqual(Buffer.from((await coarse.get(1)).image), Buffer.from(resizeBilinear(expectedHwc(101), 32, 32, 3, 8, 8)));
  });
}

test('python distribution errors name the file: truncated pickle, missing batch, label out of range', async (t) => {
  const root = tempDir(t);
  writePy2(root);
  const ten = join(root, 'cifar-10-batches-py');
  const whole = py2Batch(0, PER_BATCH, [['labels', label10]]);
  writeFileSync(join(ten, 'data_batch_2'), whole.subarray(0, whole.length - 500));
  await t.throwsAsync(cifar10Dataset.open({ root }, context), { instanceOf: UserError, message: /data_batch_2 is not a pickle .*truncated/ });
  writeFileSync(join(ten, 'data_batch_2'), py2Batch(0, PER_BATCH, [['labels', () => 12]]));
  await t.throwsAsync(cifar10Dataset.open({ root }, context), { instanceOf: UserError, message: /data_batch_2: label 12 of image 0 is outside 0\.\.9/ });
  writeFileSync(join(ten, 'data_batch_2'), py2Batch(0, PER_BATCH, [['fine_labels', label10]]));
  await t.throwsAsync(cifar10Dataset.open({ root }, context), { instanceOf: UserError, message: /data_batch_2: no list of integer labels under the key 'labels'/ });
  rmSync(join(ten, 'data_batch_5'));
  await t.throwsAsync(cifar10Dataset.open({ root }, context), { instanceOf: UserError, message: /but not data_batch_5 \(python distribution\)/ });
});

import test from 'ava';
import { ArrayDataset, type Dataset, loadImages, loadLabels, resizeBilinear, subsetDataset } from '../src/data/index.js';

function tiny(): ArrayDataset {
  // 5 images of 2×2×3; every byte of image i is i·10 + position.
  const images = Uint8Array.from({ length: 5 * 12 }, (_, k) => Math.floor(k / 12) * 10 + (k % 12));
  return new ArrayDataset({ name: 'tiny', images, labels: Int32Array.from([0, 1, 2, 0, -1]), classes: ['a', 'b', 'c'], shape: [2, 2, 3] });
}

test('ArrayDataset serves copies of its images and its labels', async (t) => {
  const ds = tiny();
  t.is(ds.size, 5);
  t.deepEqual(ds.shape, [2, 2, 3]);
  const { image, label } = await ds.get(2);
  t.deepEqual([...image], Array.from({ length: 12 }, (_, p) => 20 + p));
  t.is(label, 2);
  image[0] = 255;
  t.is((await ds.get(2)).image[0], 20);
  t.deepEqual([...ds.labels()], [0, 1, 2, 0, -1]);
  await t.throwsAsync(ds.get(5), { instanceOf: RangeError });
});

test('ArrayDataset rejects inconsistent arrays', (t) => {
  t.throws(() => new ArrayDataset({ images: new Uint8Array(11), labels: Int32Array.from([0]), classes: ['a'], shape: [2, 2, 3] }), { instanceOf: RangeError });
  t.throws(() => new ArrayDataset({ images: new Uint8Array(12), labels: Int32Array.from([3]), classes: ['a'], shape: [2, 2, 3] }), { instanceOf: RangeError });
});

test('subsetDataset maps indexes and labels, repeats allowed', async (t) => {
  const sub = subsetDataset(tiny(), [4, 1, 1]);
  t.is(sub.size, 3);
  t.deepEqual(sub.shape, [2, 2, 3]);
  t.deepEqual(sub.classes, ['a', 'b', 'c']);
  t.is((await sub.get(0)).image[0], 40);
  t.deepEqual([...sub.labels!()], [-1, 1, 1]);
  await t.throwsAsync(sub.get(3), { instanceOf: RangeError });
  t.throws(() => subsetDataset(tiny(), [5]), { instanceOf: RangeError });
  t.throws(() => subsetDataset(tiny(), [1.5]), { instanceOf: RangeError });
});

test('loadImages packs a batch in the order asked for', async (t) => {
  const { images, labels } = await loadImages(tiny(), Int32Array.from([3, 0, 3]));
  t.is(images.length, 3 * 12);
  t.deepEqual([images[0], images[12], images[24], images[35]], [30, 0, 30, 41]);
  t.deepEqual([...labels], [0, 0, 0]);
  const empty = await loadImages(tiny(), []);
  t.is(empty.images.length, 0);
});

test('loadLabels reads images when a dataset cannot list its labels', async (t) => {
  const base = tiny();
  const opaque: Dataset = { name: 'opaque', size: base.size, classes: base.classes, shape: base.shape, get: (i) => base.get(i) };
  t.deepEqual([...(await loadLabels(opaque))], [0, 1, 2, 0, -1]);
  t.deepEqual([...(await loadLabels(base))], [0, 1, 2, 0, -1]);
});

test('resizeBilinear: identity, constants, and half-pixel-centred averages', (t) => {
  const src = Uint8Array.from([0, 100, 200, 50]);
  t.deepEqual([...resizeBilinear(src, 2, 2, 1, 2, 2)], [0, 100, 200, 50]);
  t.deepEqual([...resizeBilinear(src, 2, 2, 1, 1, 1)], [88]); // mean 87.5, rounded
  t.true(resizeBilinear(new Uint8Array(7 * 5 * 3).fill(9), 7, 5, 3, 11, 3).every((v) => v === 9));
  // Upsampling 1×2 → 1×4: centres at 0.25 and 0.75 of the way blend the neighbours.
  t.deepEqual([...resizeBilinear(Uint8Array.from([0, 100]), 1, 2, 1, 1, 4)], [0, 25, 75, 100]);
});

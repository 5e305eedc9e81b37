import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import sharp from 'sharp';
import type { Dataset } from '../src/data/dataset.js';
import { isUserError } from '../src/errors.js';
import { augmentedPairs } from '../src/pairs/augmented.js';
import { semanticLabelPairs } from '../src/pairs/semantic-labels.js';
import { semanticManifestPairs } from '../src/pairs/semantic-manifest.js';
import { resolveOptions } from '../src/options.js';
import { Rng } from '../src/rng.js';

/** A tiny labelled dataset: image i is filled with the value i, label i % classes. */
function tinyDataset(size: number, classes: number): Dataset {
  const shape = [4, 4, 3] as const;
  return {
    name: 'tiny',
    size,
    classes: Array.from({ length: classes }, (_, c) => `c${c}`),
    shape,
    async get(i) {
      return { image: new Uint8Array(48).fill(i), label: i % classes };
    },
    labels: () => Int32Array.from({ length: size }, (_, i) => i % classes),
  };
}

const ctx = (seed = 1) => ({ rng: new Rng(seed) });

test('augmented pairs pair every image with itself, index = image', async (t) => {
  const set = await augmentedPairs.create(tinyDataset(10, 2), {}, ctx());
  t.is(set.size, 10);
  t.deepEqual(set.pairs(0)[3], { a: 3, b: 3, index: 3 });
});

test('semantic-labels partners share the class, differ from the anchor, and re-draw each epoch', async (t) => {
  const ds = tinyDataset(60, 3);
  const opts = resolveOptions(semanticLabelPairs.options, {}, 'test');
  const set = await semanticLabelPairs.create(ds, opts, ctx());
  const e0 = set.pairs(0);
  const e1 = set.pairs(1);
  t.is(e0.length, 60);
  for (const p of [...e0, ...e1]) {
    t.not(p.a, p.b);
    t.is(p.a % 3, p.b % 3);
    t.is(p.index, p.a);
  }
  t.notDeepEqual(e0.map((p) => p.b), e1.map((p) => p.b));
  // Deterministic from the seed.
  const again = await semanticLabelPairs.create(ds, opts, ctx());
  t.deepEqual(again.pairs(1), e1);
  // Every other member of the class is reachable (uniform over the others).
  const partners = new Set<number>();
  for (let e = 0; e < 200; e++) partners.add(set.pairs(e)[0]!.b);
  t.is(partners.size, 19);
});

test('semantic-labels fixed mode keeps one partner per image for the whole run', async (t) => {
  const set = await semanticLabelPairs.create(tinyDataset(30, 3), { mode: 'fixed' }, ctx());
  t.deepEqual(set.pairs(0), set.pairs(5));
  t.is(set.describe().mode, 'fixed');
});

test('semantic-labels positives=class gives each pair its class as index (supervised contrastive); the partners stay the same', async (t) => {
  const ds = tinyDataset(30, 3);
  const byPair = await semanticLabelPairs.create(ds, resolveOptions(semanticLabelPairs.options, {}, 'test'), ctx());
  const byClass = await semanticLabelPairs.create(ds, resolveOptions(semanticLabelPairs.options, { positives: 'class' }, 'test'), ctx());
  const pairs = byClass.pairs(0);
  t.deepEqual(pairs.map((p) => p.index), pairs.map((p) => p.a % 3));
  t.deepEqual(pairs.map((p) => [p.a, p.b]), byPair.pairs(0).map((p) => [p.a, p.b]));
  t.deepEqual(byPair.pairs(0).map((p) => p.index), pairs.map((p) => p.a));
  t.like(byClass.describe(), { positives: 'class' });
  t.throws(() => resolveOptions(semanticLabelPairs.options, { positives: 'all' }, 'test'));
});

test('semantic-labels counts singleton classes instead of hiding them', async (t) => {
  const ds = tinyDataset(3, 3); // one image per class
  const set = await semanticLabelPairs.create(ds, { mode: 'redraw' }, ctx());
  t.is(set.describe().selfPairedSingletons, 3);
  t.deepEqual(set.pairs(0)[1], { a: 1, b: 1, index: 1 });
});

test('semantic-manifest reads CSV with dataset indexes and with image files', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sempair-manifest-'));
  const ds = tinyDataset(10, 2);
  await writeFile(join(dir, 'idx.csv'), 'class,image_a,image_b\nc0,0,2\nc1,1,3\n"c0",4,6\n');
  const set = await semanticManifestPairs.create(ds, { manifest: join(dir, 'idx.csv') }, ctx());
  t.is(set.size, 3);
  const p = set.pairs(0)[2]!;
  t.is((await set.images.get(p.a)).image[0], 4);
  t.is((await set.images.get(p.b)).image[0], 6);
  t.is((await set.images.get(p.b)).label, 0);

  const red = await sharp({ create: { width: 8, height: 6, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
  await writeFile(join(dir, 'a.png'), red);
  await writeFile(join(dir, 'b.png'), red);
  await writeFile(join(dir, 'files.jsonl'), '{"class":"apple","image_a":"a.png","image_b":"b.png"}\n');
  const files = await semanticManifestPairs.create(ds, { manifest: join(dir, 'files.jsonl') }, ctx());
  const img = await files.images.get(files.pairs(0)[0]!.a);
  t.is(img.image.length, 4 * 4 * 3);
  t.deepEqual([...img.image.subarray(0, 3)], [255, 0, 0]);
  t.deepEqual(files.images.classes, ['apple']);
});

test('semantic-manifest refuses absent images with one line naming them and the fix', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sempair-manifest-'));
  await writeFile(join(dir, 'm.csv'), 'dog,missing1.jpg,missing2.jpg\n');
  const error = await t.throwsAsync(semanticManifestPairs.create(tinyDataset(4, 2), { manifest: join(dir, 'm.csv') }, ctx()));
  t.true(isUserError(error));
  t.regex(error!.message, /2 image\(s\) that do not exist, first: missing1\.jpg/);
  const bad = join(dir, 'bad.csv');
  await writeFile(bad, 'dog,only-one\n');
  const e2 = await t.throwsAsync(semanticManifestPairs.create(tinyDataset(4, 2), { manifest: bad }, ctx()));
  t.regex(e2!.message, /line 1: expected class, image_a, image_b/);
  const e3 = await t.throwsAsync(semanticManifestPairs.create(tinyDataset(4, 2), { manifest: join(dir, 'nope.csv') }, ctx()));
  t.regex(e3!.message, /manifest not found/);
});

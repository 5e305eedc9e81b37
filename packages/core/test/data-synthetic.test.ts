import test from 'ava';
import {
  SYNTHETIC_CLASS_NAMES,
  SyntheticDataset,
  type SyntheticOptions,
  builtinDatasets,
  syntheticDataset,
  syntheticShiftedDataset,
} from '../src/data/index.js';
import { UserError } from '../src/errors.js';
import { Rng } from '../src/rng.js';

const context = { rng: new Rng(1) };
const make = (o: Partial<SyntheticOptions> = {}): SyntheticDataset =>
  new SyntheticDataset({ variant: 'source', split: 'train', perClass: 20, size: 32, seed: 0, classes: 10, ...o });

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Mean saturation (max − min channel), brightness and per-image contrast over a dataset. */
function stats(ds: SyntheticDataset): { saturation: number; brightness: number; contrast: number } {
  let saturation = 0;
  let brightness = 0;
  let contrast = 0;
  const pixels = ds.shape[0] * ds.shape[1];
  for (let i = 0; i < ds.size; i++) {
    const im = ds.image(i);
    let s = 0;
    let s2 = 0;
    for (let p = 0; p < pixels; p++) {
      const r = im[3 * p]!;
      const g = im[3 * p + 1]!;
      const b = im[3 * p + 2]!;
      saturation += Math.max(r, g, b) - Math.min(r, g, b);
      const y = (r + g + b) / 3;
      s += y;
      s2 += y * y;
    }
    brightness += s / pixels;
    contrast += Math.sqrt(s2 / pixels - (s / pixels) ** 2);
  }
  return { saturation: saturation / ds.size / pixels, brightness: brightness / ds.size, contrast: contrast / ds.size };
}

test('both variants are registered built-ins', (t) => {
  const ids = builtinDatasets.map((d) => d.id);
  t.true(ids.includes('synthetic'));
  t.true(ids.includes('synthetic-shifted'));
});

test('at least ten classes with readable names, defined by shape', (t) => {
  t.true(SYNTHETIC_CLASS_NAMES.length >= 10);
  t.is(new Set(SYNTHETIC_CLASS_NAMES).size, SYNTHETIC_CLASS_NAMES.length);
  t.deepEqual(make().classes, SYNTHETIC_CLASS_NAMES.slice(0, 10));
  t.true(SYNTHETIC_CLASS_NAMES.includes('ring') && SYNTHETIC_CLASS_NAMES.includes('star'));
});

test('images are uint8 HWC of the declared shape', async (t) => {
  const ds = make();
  t.deepEqual(ds.shape, [32, 32, 3]);
  const { image, label } = await ds.get(7);
  t.true(image instanceof Uint8Array);
  t.is(image.length, 32 * 32 * 3);
  t.is(label, 7);
  const big = make({ size: 48, perClass: 2 });
  t.deepEqual(big.shape, [48, 48, 3]);
  t.is((await big.get(3)).image.length, 48 * 48 * 3);
});

test('image i is a pure function of (seed, variant, split, index)', async (t) => {
  const a = make();
  const b = make();
  // Render b in another order: caching must not change anything.
  for (const i of [150, 3, 77]) b.image(i);
  for (const i of [0, 3, 77, 150, 199]) t.true(equal((await a.get(i)).image, (await b.get(i)).image), `image ${i}`);
  t.true(equal((await a.get(5)).image, (await a.get(5)).image));
  t.false(equal(a.image(5), make({ seed: 1 }).image(5)), 'seed changes images');
  t.false(equal(a.image(5), make({ split: 'test' }).image(5)), 'train and test differ');
  t.false(equal(a.image(5), make({ variant: 'shifted' }).image(5)), 'variants differ');
});

test('the generator is pinned: published numbers depend on these exact images', (t) => {
  // If you change the generator on purpose, update these hashes and say so in the changelog:
  // results computed on the old images are no longer comparable.
  const hash = (ds: SyntheticDataset): string => {
    let h = 0x811c9dc5;
    for (let i = 0; i < ds.size; i++) {
      for (const v of ds.image(i)) {
        h ^= v;
        h = Math.imul(h, 0x01000193);
      }
    }
    return (h >>> 0).toString(16).padStart(8, '0');
  };
  t.is(hash(make({ perClass: 2 })), '110186eb');
  t.is(hash(make({ perClass: 2, variant: 'shifted' })), '0c722e41');
});

test('an image does not depend on how many classes or images were asked for', (t) => {
  const ten = make({ classes: 10, perClass: 5 });
  const twelve = make({ classes: 12, perClass: 50 });
  // Image k of class c sits at k·classes + c.
  for (const [c, k] of [[0, 0], [3, 2], [9, 4]] as const) {
    t.true(equal(ten.image(k * 10 + c), twelve.image(k * 12 + c)));
  }
});

test('get returns a copy, so callers cannot corrupt the cache', async (t) => {
  const ds = make();
  const first = await ds.get(1);
  const before = first.image[0];
  first.image.fill(before === 0 ? 1 : 0);
  t.is((await ds.get(1)).image[0], before);
});

test('classes are balanced and labels() agrees with get', async (t) => {
  const ds = make({ perClass: 13, classes: 12 });
  const labels = ds.labels();
  t.is(labels.length, 13 * 12);
  const counts = new Array(12).fill(0);
  for (const l of labels) counts[l]++;
  t.deepEqual(counts, new Array(12).fill(13));
  for (const i of [0, 11, 12, 100]) t.is((await ds.get(i)).label, labels[i]);
});

test('images vary: clutter within each image and differences between images', (t) => {
  const ds = make({ perClass: 5 });
  const { contrast } = stats(ds);
  t.true(contrast > 15, `mean per-image std ${contrast}`);
  const sameClass = [ds.image(0), ds.image(10), ds.image(20)];
  t.false(equal(sameClass[0]!, sameClass[1]!));
  const seen = new Set<number>();
  for (let i = 0; i < ds.size; i++) for (const v of ds.image(i)) seen.add(v);
  t.true(seen.size > 200, `${seen.size} distinct byte values`);
});

test('colour does not predict the class: per-class mean colours are alike', (t) => {
  const ds = make({ perClass: 60, classes: 12 });
  const sums = Array.from({ length: 12 }, () => [0, 0, 0]);
  const all = [0, 0, 0];
  for (let i = 0; i < ds.size; i++) {
    const im = ds.image(i);
    const s = sums[ds.labelOf(i)]!;
    for (let p = 0; p < im.length; p++) {
      s[p % 3]! += im[p]!;
      all[p % 3]! += im[p]!;
    }
  }
  const per = 60 * 32 * 32;
  for (const [c, s] of sums.entries()) {
    for (let ch = 0; ch < 3; ch++) {
      const gap = Math.abs(s[ch]! / per - all[ch]! / (per * 12));
      t.true(gap < 15, `class ${SYNTHETIC_CLASS_NAMES[c]} channel ${ch} mean differs by ${gap.toFixed(1)}`);
    }
  }
});

test('the shifted variant differs statistically from the source', (t) => {
  const source = stats(make({ perClass: 10 }));
  const shifted = stats(make({ perClass: 10, variant: 'shifted' }));
  t.true(shifted.saturation < source.saturation * 0.6, `saturation ${shifted.saturation} vs ${source.saturation}`);
  t.true(shifted.brightness < source.brightness - 20, `brightness ${shifted.brightness} vs ${source.brightness}`);
  t.true(shifted.contrast > 15, 'shifted images are still cluttered');
});

test('definitions resolve command-line options and defaults', async (t) => {
  const train = await syntheticDataset.open({}, context);
  t.is(train.size, 10 * 500);
  t.is(train.name, 'synthetic/train');
  const test_ = await syntheticShiftedDataset.open({ split: 'test', classes: '12', size: '16' }, context);
  t.is(test_.size, 12 * 200);
  t.deepEqual(test_.shape, [16, 16, 3]);
  t.is(test_.name, 'synthetic-shifted/test');
  const small = await syntheticDataset.open({ perClass: '3' }, context);
  t.is(small.size, 30);
});

test('bad options end in a UserError naming the fix', async (t) => {
  const tooMany = await t.throwsAsync(syntheticDataset.open({ classes: 99 }, context));
  t.true(tooMany instanceof UserError);
  t.regex(tooMany!.message, /classes/);
  const unknown = await t.throwsAsync(syntheticDataset.open({ colour: 'red' }, context));
  t.true(unknown instanceof UserError);
  await t.throwsAsync(syntheticDataset.open({ split: 'val' }, context), { instanceOf: UserError });
});

test('out-of-range indexes are rejected', async (t) => {
  const ds = make({ perClass: 1 });
  await t.throwsAsync(ds.get(10), { instanceOf: RangeError });
  await t.throwsAsync(ds.get(-1), { instanceOf: RangeError });
});

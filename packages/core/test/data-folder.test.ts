import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import sharp from 'sharp';
import { folderDatasets } from '../src/data/folder-datasets.js';
import type { ImageFileDataset } from '../src/data/image-file-dataset.js';
import { UserError } from '../src/errors.js';
import { Rng } from '../src/rng.js';

const context = { rng: new Rng(0) };
const imageFolder = folderDatasets.find((d) => d.id === 'image-folder')!;
const tinyImagenet = folderDatasets.find((d) => d.id === 'tiny-imagenet')!;

type Rgb = [number, number, number];
const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'sempair-folder-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a solid image; the format follows the extension. */
async function solid(path: string, [r, g, b]: Rgb, width = 20, height = 16): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const image = sharp({ create: { width, height, channels: 3, background: { r, g, b } } });
  await (/\.png$/i.test(path) ? image.png() : image.jpeg({ quality: 95 })).toFile(path);
}

/** Three vertical bands of equal width: black | colour | white. */
async function bands(path: string, colour: Rgb, width: number, height: number): Promise<void> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const band = Math.floor((3 * x) / width);
      pixels.set(band === 0 ? [0, 0, 0] : band === 1 ? colour : [255, 255, 255], (y * width + x) * 3);
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toFile(path);
}

function near(t: ExecutionContext, image: Uint8Array, at: number, colour: Rgb, tolerance = 12): void {
  const got = [image[at * 3]!, image[at * 3 + 1]!, image[at * 3 + 2]!];
  t.true(got.every((v, c) => Math.abs(v - colour[c]!) <= tolerance), `pixel ${at} is ${got}, expected about ${colour}`);
}

/** root/cat/{a.jpg red, b.png green}, root/dog/{c.PNG blue, sub/d.jpeg red}, plus files to ignore. */
async function classTree(root: string): Promise<void> {
  await solid(join(root, 'cat', 'a.jpg'), RED);
  await solid(join(root, 'cat', 'b.png'), GREEN, 9, 30);
  await solid(join(root, 'dog', 'c.PNG'), BLUE);
  await solid(join(root, 'dog', 'sub', 'd.jpeg'), RED);
  writeFileSync(join(root, 'dog', 'notes.txt'), 'not an image');
  await solid(join(root, '.hidden', 'e.jpg'), GREEN);
  writeFileSync(join(root, 'README.md'), 'top-level files are not classes');
}

async function open(definition: typeof imageFolder, options: Record<string, unknown>): Promise<ImageFileDataset> {
  return (await definition.open(options, context)) as ImageFileDataset;
}

async function rejectsUser(t: ExecutionContext, run: () => Promise<unknown>, message: RegExp): Promise<UserError> {
  const error = (await t.throwsAsync(run, { instanceOf: UserError, message })) as UserError;
  t.true(Boolean(error?.fix), 'a UserError says how to fix it');
  return error;
}

test('image-folder: classes are sorted folder names, labels come from the tree, images decode to size×size RGB', async (t) => {
  const root = tempDir(t);
  await classTree(root);
  const data = await open(imageFolder, { root, size: '8' });
  t.deepEqual(data.classes, ['cat', 'dog']);
  t.is(data.size, 4);
  t.deepEqual(data.shape, [8, 8, 3]);
  t.deepEqual([...data.labels()], [0, 0, 1, 1]);
  const expected: Rgb[] = [RED, GREEN, BLUE, RED];
  for (let i = 0; i < data.size; i++) {
    const { image, label } = await data.get(i);
    t.is(image.length, 8 * 8 * 3);
    t.is(label, data.labels()[i]);
    for (const at of [0, 27, 63]) near(t, image, at, expected[i]!);
  }
  t.is(data.skipped, 0);
  await t.throwsAsync(() => data.get(4), { instanceOf: RangeError });
});

test('image-folder: resize is torchvision Resize(size)+CenterCrop(size): shorter side to size, centre kept', async (t) => {
  const root = tempDir(t);
  await bands(join(root, 'only', 'wide.png'), GREEN, 60, 20); // centre 20×20 is all green
  await bands(join(root, 'only', 'tall.png'), BLUE, 20, 60); // bands across: the centre crop keeps black|blue|white columns
  const data = await open(imageFolder, { root, size: '10' });
  const wide = (await data.get(1)).image;
  for (const at of [11, 14, 15, 18, 44, 45, 55, 88]) near(t, wide, at, GREEN, 40);
  const tall = (await data.get(0)).image;
  near(t, tall, 40, [0, 0, 0], 40); // row 4, column 0
  near(t, tall, 45, BLUE, 40);
  near(t, tall, 49, [255, 255, 255], 40);
});

test('image-folder: a corrupt file fails get with a UserError naming it; listing decodes nothing', async (t) => {
  const root = tempDir(t);
  await classTree(root);
  writeFileSync(join(root, 'cat', 'b.png'), 'definitely not a PNG');
  const data = await open(imageFolder, { root, size: 8 }); // opening does not read images
  await data.get(0);
  const error = await rejectsUser(t, () => data.get(1), /cannot decode image .*cat\/b\.png/);
  t.regex(error.fix!, /skipBad=true/);
});

test('image-folder: skipBad replaces an unreadable file by the next image of its class and counts it', async (t) => {
  const root = tempDir(t);
  await classTree(root);
  writeFileSync(join(root, 'cat', 'a.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0x00, 1, 2, 3])); // truncated JPEG
  const data = await open(imageFolder, { root, size: 8, skipBad: 'true' });
  const first = await data.get(0);
  t.is(first.label, 0);
  near(t, first.image, 10, GREEN); // b.png, the other cat
  t.is(data.skipped, 1);
  await data.get(0);
  t.is(data.skipped, 1, 'a bad file is counted once');
  t.is(data.size, 4);
});

test('image-folder: the cache shard holds byte-identical images and is read instead of the files later', async (t) => {
  const root = tempDir(t);
  await classTree(root);
  const decoded = await open(imageFolder, { root, size: 8 });
  const built = await open(imageFolder, { root, size: 8, cache: 'auto' });
  const shard = join(root, '.sempair-cache-8.bin');
  t.is(built.cachePath, shard);
  t.true(existsSync(shard) && existsSync(`${shard}.json`));
  t.deepEqual(readdirSync(root).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  for (let i = 0; i < decoded.size; i++) t.deepEqual((await built.get(i)).image, (await decoded.get(i)).image);
  await built.close();

  // Break every source image: the reopened dataset still reads them, from the shard.
  for (const file of ['cat/a.jpg', 'cat/b.png', 'dog/c.PNG', 'dog/sub/d.jpeg']) writeFileSync(join(root, file), 'gone');
  const cached = await open(imageFolder, { root, size: 8, cache: 'auto' });
  t.deepEqual([...cached.labels()], [0, 0, 1, 1]);
  for (let i = 0; i < decoded.size; i++) {
    const item = await cached.get(i);
    t.deepEqual(item.image, (await built.get(i)).image);
    t.is(item.label, decoded.labels()[i]);
  }
  await cached.close();
  await built.close();
  await rejectsUser(t, () => decoded.get(0), /cannot decode image/);
});

test('image-folder: the cache build finds bad files: UserError without skipBad, left out and counted with it', async (t) => {
  const root = tempDir(t);
  await classTree(root);
  writeFileSync(join(root, 'dog', 'c.PNG'), 'broken');
  const cache = join(root, 'shards', 'dogs-and-cats.bin');
  await rejectsUser(t, () => open(imageFolder, { root, size: 8, cache }), /cannot decode image .*dog\/c\.PNG/);
  t.false(existsSync(cache), 'a failed build leaves no shard');
  t.deepEqual(readdirSync(join(root, 'shards')), []);

  const data = await open(imageFolder, { root, size: 8, cache, skipBad: true });
  t.is(data.skipped, 1);
  t.is(data.size, 3);
  t.deepEqual([...data.labels()], [0, 0, 1]);
  near(t, (await data.get(2)).image, 5, RED); // dog/sub/d.jpeg
  await data.close();
  // The same shard, opened without skipBad, names the file it left out.
  await rejectsUser(t, () => open(imageFolder, { root, size: 8, cache }), /dog\/c\.PNG.*skipBad=true/);
});

test('image-folder: a changed tree or size rebuilds the cache', async (t) => {
  const root = tempDir(t);
  await classTree(root);
  const cache = join(root, 'cache.bin');
  await (await open(imageFolder, { root, size: 8, cache })).close();
  await solid(join(root, 'eel', 'f.png'), GREEN);
  const grown = await open(imageFolder, { root, size: 8, cache });
  t.is(grown.size, 5);
  near(t, (await grown.get(4)).image, 0, GREEN);
  await grown.close();
  const bigger = await open(imageFolder, { root, size: 12, cache });
  t.deepEqual((await bigger.get(0)).image.length, 12 * 12 * 3);
  await bigger.close();
});

test('image-folder: missing root, empty folder and image-less classes are UserErrors with a fix', async (t) => {
  const root = tempDir(t);
  await rejectsUser(t, () => open(imageFolder, {}), /needs the option 'root'/);
  await rejectsUser(t, () => open(imageFolder, { root: join(root, 'nope') }), /does not exist/);
  await rejectsUser(t, () => open(imageFolder, { root }), /has no class sub-folders/);
  mkdirSync(join(root, 'cat'));
  writeFileSync(join(root, 'cat', 'notes.txt'), 'x');
  await rejectsUser(t, () => open(imageFolder, { root }), /hold no images/);
  await rejectsUser(t, () => open(imageFolder, { root, sizes: 3 }), /no option 'sizes'/);
});

/** A miniature tiny-imagenet-200: two classes (n01 red, n02 blue), listed unsorted in wnids.txt. */
async function tinyTree(root: string): Promise<void> {
  writeFileSync(join(root, 'wnids.txt'), 'n02\nn01\n');
  writeFileSync(join(root, 'words.txt'), 'n00\tentity\nn01\tgoldfish, Carassius auratus\nn02\ttabby, tabby cat\n');
  for (const [wnid, colour] of [['n01', RED], ['n02', BLUE]] as const) {
    for (let k = 0; k < 2; k++) await solid(join(root, 'train', wnid, 'images', `${wnid}_${k}.JPEG`), colour, 64, 64);
    writeFileSync(join(root, 'train', wnid, `${wnid}_boxes.txt`), `${wnid}_0.JPEG\t0\t0\t10\t10\n`);
  }
  await solid(join(root, 'val', 'images', 'val_0.JPEG'), BLUE, 64, 64);
  await solid(join(root, 'val', 'images', 'val_1.JPEG'), RED, 64, 64);
  await solid(join(root, 'val', 'images', 'val_2.JPEG'), BLUE, 64, 64);
  writeFileSync(join(root, 'val', 'val_annotations.txt'), 'val_0.JPEG\tn02\t0\t0\t63\t63\nval_1.JPEG\tn01\t1\t2\t3\t4\nval_2.JPEG\tn02\t0\t0\t9\t9\n');
  await solid(join(root, 'test', 'images', 'test_0.JPEG'), GREEN, 64, 64);
}

test('tiny-imagenet: sorted wnids with names from words.txt; val labels from val_annotations.txt; test unlabelled', async (t) => {
  const root = tempDir(t);
  await tinyTree(root);
  const train = await open(tinyImagenet, { root });
  t.deepEqual(train.classes, ['goldfish', 'tabby']);
  t.deepEqual(train.shape, [64, 64, 3]);
  t.deepEqual([...train.labels()], [0, 0, 1, 1]);
  near(t, (await train.get(2)).image, 100, BLUE);

  const val = await open(tinyImagenet, { root, split: 'val', size: 16 });
  t.deepEqual([...val.labels()], [1, 0, 1]);
  for (let i = 0; i < 3; i++) {
    const { image, label } = await val.get(i);
    t.is(image.length, 16 * 16 * 3);
    near(t, image, 40, label === 0 ? RED : BLUE);
  }

  const testSplit = await open(tinyImagenet, { root, split: 'test' });
  t.deepEqual([...testSplit.labels()], [-1]);
  near(t, (await testSplit.get(0)).image, 7, GREEN);
  const cached = await open(tinyImagenet, { root, split: 'test', cache: 'auto' });
  t.true(existsSync(join(root, '.sempair-cache-test-64.bin')));
  t.deepEqual((await cached.get(0)).image, (await testSplit.get(0)).image);
  await cached.close();
});

test('tiny-imagenet: a broken layout is a UserError naming the file', async (t) => {
  const root = tempDir(t);
  await rejectsUser(t, () => open(tinyImagenet, { root }), /wnids\.txt is missing/);
  await tinyTree(root);
  writeFileSync(join(root, 'val', 'val_annotations.txt'), 'val_0.JPEG\tn02\t0\t0\t63\t63\nval_1.JPEG\tn99\t1\t2\t3\t4\n');
  await rejectsUser(t, () => open(tinyImagenet, { root, split: 'val' }), /val_annotations\.txt line 2 names wnid n99/);
  writeFileSync(join(root, 'val', 'val_annotations.txt'), 'val_0.JPEG\tn02\t0\t0\t63\t63\n');
  await rejectsUser(t, () => open(tinyImagenet, { root, split: 'val' }), /val\/images\/val_1\.JPEG has no line/);
  rmSync(join(root, 'test'), { recursive: true });
  await rejectsUser(t, () => open(tinyImagenet, { root, split: 'test' }), /test split has no folder/);
});

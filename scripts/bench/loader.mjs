// Throughput of a dataset's `get` alone (no batching, augmentation or training): decoding the
// image files, then reading the same images back from the shard cache.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchError, intFlag } from './args.mjs';
import { requireFromCorePackage } from './tf.mjs';

const DIST = new URL('../../packages/core/dist/', import.meta.url);

export const description =
  'images/s of a folder dataset\'s get, decoding vs from its shard cache: --dataset image-folder|tiny-imagenet --dataset-options root=…,size=64 ' +
  '(no root: generates --images N JPEGs of --source-size px) [--limit N] [--concurrency N]';

/** `count` JPEGs in 10 class folders: smooth random texture, so decoding costs what photos cost. */
async function generateFolder(dir, count, side) {
  const sharp = requireFromCorePackage('sharp');
  const height = Math.round((side * 3) / 4);
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 255;
  for (let i = 0; i < count; i++) {
    const classDir = join(dir, `class${i % 10}`);
    mkdirSync(classDir, { recursive: true });
    const noise = Buffer.alloc(16 * 12 * 3);
    for (let k = 0; k < noise.length; k++) noise[k] = random();
    const texture = await sharp(noise, { raw: { width: 16, height: 12, channels: 3 } }).resize(side, height, { kernel: 'cubic' }).raw().toBuffer();
    await sharp(texture, { raw: { width: side, height, channels: 3 } }).jpeg({ quality: 90 }).toFile(join(classDir, `img${i}.jpg`));
  }
}

/** Calls get on every index with up to `concurrency` calls pending; returns images/s. */
async function timeGets(dataset, count, concurrency) {
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < count) {
      const { image } = await dataset.get(next++);
      bytes += image.length; // after the await: `bytes += await …` would read bytes before it
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  if (bytes !== count * dataset.shape.reduce((a, b) => a * b, 1)) throw new BenchError('images of the wrong size came back');
  return count / seconds;
}

export async function loader(_core, flags) {
  const { folderDatasets } = await import(new URL('data/folder-datasets.js', DIST).href);
  const { parseOptionString } = await import(new URL('options.js', DIST).href);
  const { Rng } = await import(new URL('rng.js', DIST).href);
  const id = typeof flags.dataset === 'string' ? flags.dataset : 'image-folder';
  const definition = folderDatasets.find((d) => d.id === id);
  if (!definition) throw new BenchError(`--dataset must be one of ${folderDatasets.map((d) => d.id).join(', ')}, got '${id}'`);
  const options = parseOptionString(typeof flags['dataset-options'] === 'string' ? flags['dataset-options'] : '', `dataset ${id}`);
  const concurrency = Math.max(1, intFlag(flags, 'concurrency', 32));
  const scratch = mkdtempSync(join(tmpdir(), 'sempair-bench-loader-'));
  try {
    let generated;
    if (options.root === undefined) {
      if (id !== 'image-folder') throw new BenchError(`--dataset ${id} needs --dataset-options root=…`);
      generated = { images: intFlag(flags, 'images', 1000), sourceSize: intFlag(flags, 'source-size', 320) };
      options.root = join(scratch, 'images');
      await generateFolder(options.root, generated.images, generated.sourceSize);
    }
    if (options.size === undefined && flags.size !== undefined) options.size = intFlag(flags, 'size', 64);
    const context = { rng: new Rng(0) };
    const decoding = await definition.open({ ...options, cache: '' }, context);
    const count = Math.min(decoding.size, intFlag(flags, 'limit', decoding.size));
    const decodePerSec = await timeGets(decoding, count, concurrency);

    const cacheOptions = { ...options, cache: join(scratch, 'shard.bin') };
    const t0 = performance.now();
    await definition.open(cacheOptions, context); // builds the shard
    const buildSeconds = (performance.now() - t0) / 1000;
    const cached = await definition.open(cacheOptions, context);
    const cachePerSec = await timeGets(cached, count, concurrency);
    await cached.close();

    const [h, w, c] = decoding.shape;
    return {
      config: { dataset: id, images: count, shape: `${h}x${w}x${c}`, concurrency, ...(generated ? { generatedJpegs: `${generated.sourceSize}x${Math.round((generated.sourceSize * 3) / 4)}` } : {}) },
      imagesPerSec: decodePerSec,
      cacheImagesPerSec: cachePerSec,
      cacheBuildSeconds: buildSeconds,
      summary:
        `${decodePerSec.toFixed(0)} images/s decoding, ${cachePerSec.toFixed(0)} images/s from the cache ` +
        `(built in ${buildSeconds.toFixed(1)} s, ${(decoding.size / buildSeconds).toFixed(0)} images/s)`,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { Dataset, LabelledImage } from './dataset.js';
import { decodeImageFile, type ImageFit } from './image-decode.js';
import { ImageShardReader, ImageShardWriter, readImageShardIndex } from './image-shard.js';

/** Image files found by a folder reader, before anything is decoded. */
export interface ImageFileListing {
  /** Folder the file paths are relative to. */
  root: string;
  /** Paths relative to `root`, in dataset order. */
  files: string[];
  /** Class index of each file, −1 for unlabelled. */
  labels: Int32Array;
  classes: readonly string[];
}

export interface OpenImageFilesOptions {
  /** Dataset id, for messages. */
  id: string;
  name: string;
  listing: ImageFileListing;
  /** Output side: every image is decoded to size × size × 3. */
  size: number;
  fit: ImageFit;
  /** Replace unreadable files instead of failing on them (see ImageFileDataset.skipped). */
  skipBad: boolean;
  /** Path of the shard cache, or undefined for none. */
  cache: string | undefined;
  /** What to tell a user whose file cannot be decoded. */
  fix: string;
}

/** How many images the cache build decodes at once (sharp runs them on libuv's thread pool). */
const BUILD_WINDOW = 32;

/**
 * Images read from files, decoded on `get` (nothing is decoded or held when opened), or read
 * from a shard cache of decoded records.
 *
 * An unreadable file fails `get` with a UserError naming it, unless `skipBad`: then it is
 * replaced by the next readable image of the same class, so that `size` and `labels()` stay
 * as listed without decoding everything first; `skipped` counts the files replaced so far.
 * With a cache, the build pass decodes every file once and leaves unreadable ones out of the
 * shard (so there `skipped` is known at open and `size` excludes them).
 */
export class ImageFileDataset implements Dataset {
  readonly name: string;
  readonly size: number;
  readonly classes: readonly string[];
  readonly shape: readonly [number, number, number];
  /** Set when images come from a shard cache. */
  readonly cachePath: string | undefined;
  private readonly files: string[];
  private readonly labelList: Int32Array;
  private readonly shard: ImageShardReader | undefined;
  private readonly skippedInShard: number;
  /** Indexes found unreadable by `get` (skipBad only). */
  private readonly bad = new Set<number>();

  private constructor(
    private readonly o: OpenImageFilesOptions,
    files: string[],
    labels: Int32Array,
    shard: ImageShardReader | undefined,
    skippedInShard: number,
  ) {
    this.name = o.name;
    this.classes = o.listing.classes;
    this.shape = [o.size, o.size, 3];
    this.files = files;
    this.labelList = labels;
    this.size = files.length;
    this.shard = shard;
    this.cachePath = shard?.path;
    this.skippedInShard = skippedInShard;
  }

  /** Opens the listing as a dataset, using (or first building) the shard cache when asked. */
  static async open(o: OpenImageFilesOptions): Promise<ImageFileDataset> {
    if (!o.cache) return new ImageFileDataset(o, o.listing.files, o.listing.labels, undefined, 0);
    const shape: [number, number, number] = [o.size, o.size, 3];
    const fingerprint = listingFingerprint(o.listing, shape, o.fit);
    let index = await readImageShardIndex(o.cache);
    const current = index && index.fingerprint === fingerprint && index.shape.join() === shape.join() && index.count === o.listing.files.length - index.skipped.length;
    if (!index || !current) {
      index = { ...(await buildShard(o, shape, fingerprint)), format: 'sempair-image-shard', version: 1, fingerprint, shape };
    }
    if (index.skipped.length && !o.skipBad) {
      throw new UserError(
        `dataset ${o.id}: cannot decode image ${join(o.listing.root, index.skipped[0]!)} (cache ${o.cache} was built with skipBad=true and left out ${index.skipped.length} file(s))`,
        o.fix,
      );
    }
    const skipped = new Set(index.skipped);
    const files: string[] = [];
    const labels: number[] = [];
    o.listing.files.forEach((file, i) => {
      if (skipped.has(file)) return;
      files.push(file);
      labels.push(o.listing.labels[i]!);
    });
    const reader = new ImageShardReader(o.cache, o.size * o.size * 3, index.count);
    return new ImageFileDataset(o, files, Int32Array.from(labels), reader, skipped.size);
  }

  /** Files found unreadable: left out of the cache, or replaced by `get` so far. */
  get skipped(): number {
    return this.skippedInShard + this.bad.size;
  }

  async get(index: number): Promise<LabelledImage> {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`${this.name}: index ${index} is outside 0..${this.size - 1}`);
    }
    const label = this.labelList[index]!;
    if (this.shard) return { image: await this.shard.read(index), label };
    return { image: await this.decodeOrReplace(index), label };
  }

  labels(): Int32Array {
    return this.labelList.slice();
  }

  /** Closes the cache's file descriptor (reading again reopens it). */
  async close(): Promise<void> {
    await this.shard?.close();
  }

  private async decodeOrReplace(index: number): Promise<Uint8Array> {
    const label = this.labelList[index]!;
    for (let step = 0, k = index; step < this.size; step++, k = (k + 1) % this.size) {
      if (this.labelList[k] !== label || this.bad.has(k)) continue;
      const path = join(this.o.listing.root, this.files[k]!);
      try {
        return await decodeImageFile(path, this.shape, this.o.fit);
      } catch (error) {
        if (!this.o.skipBad) throw decodeError(this.o, path, error);
        this.bad.add(k);
      }
    }
    const what = label < 0 ? 'unlabelled image' : `image of class ${this.classes[label]}`;
    throw new UserError(`dataset ${this.o.id}: no ${what} in ${this.o.listing.root} can be decoded (${this.skipped} unreadable file(s))`, this.o.fix);
  }
}

function decodeError(o: OpenImageFilesOptions, path: string, error: unknown): UserError {
  return new UserError(`dataset ${o.id}: cannot decode image ${path}: ${(error as Error).message}`, `${o.fix}, or pass skipBad=true to skip unreadable images`);
}

/** Identifies what a shard holds: the files in order with their labels, and how they were decoded. */
function listingFingerprint(listing: ImageFileListing, shape: readonly number[], fit: ImageFit): string {
  const hash = createHash('sha256').update(`${shape.join('x')} ${fit}\n`);
  listing.files.forEach((file, i) => hash.update(`${listing.labels[i]}\t${file}\n`));
  return hash.digest('hex');
}

/** Decodes every listed file in order into a new shard; returns what the index records. */
async function buildShard(o: OpenImageFilesOptions, shape: [number, number, number], fingerprint: string): Promise<{ count: number; skipped: string[] }> {
  const { root, files } = o.listing;
  let writer: ImageShardWriter;
  try {
    writer = await ImageShardWriter.create(o.cache!, shape[0] * shape[1] * shape[2]);
  } catch (error) {
    throw new UserError(`dataset ${o.id}: cannot write the cache ${o.cache}: ${(error as Error).message}`, 'pass cache=<path in a writable folder>, or leave cache unset');
  }
  const skipped: string[] = [];
  try {
    for (let start = 0; start < files.length; start += BUILD_WINDOW) {
      const window = files.slice(start, start + BUILD_WINDOW);
      const results = await Promise.allSettled(window.map((file) => decodeImageFile(join(root, file), shape, o.fit)));
      for (const [k, result] of results.entries()) {
        if (result.status === 'fulfilled') await writer.append(result.value);
        else if (o.skipBad) skipped.push(window[k]!);
        else throw decodeError(o, join(root, window[k]!), result.reason);
      }
    }
    if (skipped.length === files.length) {
      throw new UserError(`dataset ${o.id}: none of the ${files.length} images in ${root} can be decoded`, o.fix);
    }
    await writer.commit({ shape, fingerprint, skipped });
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return { count: files.length - skipped.length, skipped };
}

import { randomBytes } from 'node:crypto';
import { close, open as openFd, read } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { writeJsonAtomic } from '../runs/atomic-write.js';

/**
 * A cache of decoded images: `<path>` holds fixed-size uint8 HWC records back to back
 * (record i at byte i·recordBytes), `<path>.json` a small index saying what they are.
 * The index is written last, so a shard without a matching index is never used.
 */
export interface ImageShardIndex {
  format: 'sempair-image-shard';
  version: 1;
  shape: [number, number, number];
  /** Number of records in the shard. */
  count: number;
  /** Hash of the source listing and decode settings the shard was built from. */
  fingerprint: string;
  /** Source files (as listed) left out because they could not be decoded. */
  skipped: string[];
}

export function imageShardIndexPath(shardPath: string): string {
  return `${shardPath}.json`;
}

/** The shard's index when it exists, parses and matches the shard's byte length; else undefined. */
export async function readImageShardIndex(shardPath: string): Promise<ImageShardIndex | undefined> {
  try {
    const index = JSON.parse(await readFile(imageShardIndexPath(shardPath), 'utf8')) as ImageShardIndex;
    if (index.format !== 'sempair-image-shard' || index.version !== 1) return undefined;
    const [h, w, c] = index.shape;
    const { size } = await stat(shardPath);
    return size === index.count * h * w * c ? index : undefined;
  } catch {
    return undefined;
  }
}

/** Appends records to a temporary file; `commit` renames it into place, then writes the index. */
export class ImageShardWriter {
  /** Records are gathered into blocks of about this many bytes before each write. */
  private static readonly BLOCK_BYTES = 4 << 20;
  private readonly pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private count = 0;

  private constructor(
    readonly path: string,
    private readonly tmp: string,
    private readonly handle: FileHandle,
    private readonly recordBytes: number,
  ) {}

  static async create(path: string, recordBytes: number): Promise<ImageShardWriter> {
    await mkdir(dirname(path), { recursive: true });
    const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
    return new ImageShardWriter(path, tmp, await open(tmp, 'w'), recordBytes);
  }

  async append(record: Uint8Array): Promise<void> {
    if (record.length !== this.recordBytes) throw new RangeError(`shard record of ${record.length} bytes, expected ${this.recordBytes}`);
    this.pending.push(record);
    this.pendingBytes += record.length;
    this.count++;
    if (this.pendingBytes >= ImageShardWriter.BLOCK_BYTES) await this.flush();
  }

  async commit(index: Omit<ImageShardIndex, 'format' | 'version' | 'count'>): Promise<void> {
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
    await rename(this.tmp, this.path);
    await writeJsonAtomic(imageShardIndexPath(this.path), { format: 'sempair-image-shard', version: 1, count: this.count, ...index });
  }

  /** Drops the temporary file; the previous shard (if any) stays as it was. */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    await this.handle.write(Buffer.concat(this.pending, this.pendingBytes));
    this.pending.length = 0;
    this.pendingBytes = 0;
  }
}

const openAsync = promisify(openFd);
const readAsync = promisify(read);

/**
 * Reads single records by offset from one open descriptor (opened on first use), so a shard
 * of any size costs no memory beyond the records asked for.
 */
export class ImageShardReader {
  private fd: Promise<number> | undefined;

  constructor(
    readonly path: string,
    private readonly recordBytes: number,
    readonly count: number,
  ) {}

  async read(record: number): Promise<Uint8Array> {
    if (!Number.isInteger(record) || record < 0 || record >= this.count) {
      throw new RangeError(`${this.path}: record ${record} is outside 0..${this.count - 1}`);
    }
    // A plain descriptor rather than a FileHandle: a dataset has no close hook, and Node warns
    // about FileHandles left to the garbage collector.
    this.fd ??= openAsync(this.path, 'r');
    const fd = await this.fd;
    const out = new Uint8Array(this.recordBytes);
    const { bytesRead } = await readAsync(fd, out, 0, this.recordBytes, record * this.recordBytes);
    if (bytesRead !== this.recordBytes) throw new Error(`${this.path}: record ${record} is truncated (${bytesRead} of ${this.recordBytes} bytes)`);
    return out;
  }

  /** Releases the descriptor; a later read opens it again. */
  async close(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    if (fd) close(await fd, () => undefined);
  }
}

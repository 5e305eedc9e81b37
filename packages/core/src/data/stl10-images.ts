import { open } from 'node:fs/promises';
import { UserError } from '../errors.js';

/**
 * The images of an STL-10 `*_X.bin` file, read on demand: `unlabeled_X.bin` is 2.6 GB, so
 * `read` fetches the chunk of images around the one asked for and keeps a few chunks in a
 * small LRU cache. Each record is 3 planes of side×side bytes in column-major order (MATLAB's),
 * i.e. byte [c][x][y]; `read` returns the image as HWC.
 */
export class Stl10ImageFile {
  readonly record: number;
  private readonly cache = new Map<number, Promise<Uint8Array>>();

  constructor(
    readonly file: string,
    readonly count: number,
    readonly side: number,
    private readonly fix: string,
    private readonly chunkImages = 32,
    private readonly cachedChunks = 16,
  ) {
    this.record = side * side * 3;
  }

  async read(index: number): Promise<Uint8Array> {
    const chunk = Math.floor(index / this.chunkImages);
    const bytes = await this.chunk(chunk);
    const at = (index - chunk * this.chunkImages) * this.record;
    return columnMajorPlanesToHwc(bytes.subarray(at, at + this.record), this.side);
  }

  /** The bytes of one chunk; concurrent readers of a chunk share one read. */
  private chunk(chunk: number): Promise<Uint8Array> {
    let pending = this.cache.get(chunk);
    if (pending) {
      this.cache.delete(chunk); // re-insert: Map order is the LRU order
    } else {
      pending = this.load(chunk);
      pending.catch(() => this.cache.delete(chunk));
    }
    this.cache.set(chunk, pending);
    while (this.cache.size > this.cachedChunks) this.cache.delete(this.cache.keys().next().value!);
    return pending;
  }

  private async load(chunk: number): Promise<Uint8Array> {
    const first = chunk * this.chunkImages;
    const images = Math.min(this.chunkImages, this.count - first);
    const bytes = new Uint8Array(images * this.record);
    const handle = await open(this.file, 'r');
    try {
      let done = 0;
      while (done < bytes.length) {
        const { bytesRead } = await handle.read(bytes, done, bytes.length - done, first * this.record + done);
        if (bytesRead === 0) {
          throw new UserError(`${this.file} ended early: image ${first + Math.floor(done / this.record)} could not be read (was the file changed?)`, this.fix);
        }
        done += bytesRead;
      }
    } finally {
      await handle.close();
    }
    return bytes;
  }
}

/** One record of `side`×`side`×3 stored as [c][x][y] (planes of columns) → HWC bytes. */
export function columnMajorPlanesToHwc(record: Uint8Array, side: number): Uint8Array {
  const area = side * side;
  const out = new Uint8Array(area * 3);
  for (let c = 0; c < 3; c++) {
    for (let x = 0; x < side; x++) {
      const column = c * area + x * side;
      for (let y = 0; y < side; y++) out[(y * side + x) * 3 + c] = record[column + y]!;
    }
  }
  return out;
}

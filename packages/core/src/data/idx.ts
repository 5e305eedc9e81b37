import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { UserError } from '../errors.js';

/**
 * The IDX format of MNIST and Fashion-MNIST: a big-endian magic 0x0000TTNN (TT the element
 * type, 0x08 = uint8; NN the number of dimensions), NN big-endian uint32 sizes, then the
 * elements. Images are 0x00000803 [n, rows, cols]; labels 0x00000801 [n]. Files may be gzipped.
 */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Parse IDX bytes (not gzipped); `file` names the source in error messages. */
export function parseIdx(bytes: Uint8Array, file: string, fix = 'replace the file with an intact copy'): IdxArray {
  if (bytes.length < 4) throw new UserError(`${file} is not an IDX file: only ${bytes.length} bytes`, fix);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('');
    throw new UserError(`${file} is not an IDX file: magic 0x${magic} does not start with 0x0000`, fix);
  }
  if (bytes[2] !== UBYTE) {
    throw new UserError(`${file}: IDX element type 0x${bytes[2]!.toString(16)} is not supported (only 0x08, unsigned bytes)`, fix);
  }
  const ndim = bytes[3]!;
  if (ndim < 1) throw new UserError(`${file}: IDX header declares no dimensions`, fix);
  const header = 4 + 4 * ndim;
  if (bytes.length < header) throw new UserError(`${file} is truncated: the header needs ${header} bytes, found ${bytes.length}`, fix);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    count *= n;
  }
  const expected = header + count;
  if (bytes.length < expected) {
    throw new UserError(`${file} is truncated: [${dims.join('×')}] needs ${expected} bytes, found ${bytes.length}`, fix);
  }
  if (bytes.length > expected) {
    throw new UserError(`${file} is damaged: [${dims.join('×')}] needs ${expected} bytes, found ${bytes.length}`, fix);
  }
  return { dims, data: bytes.subarray(header) };
}

/** Read an IDX file, gunzipping it when its bytes are gzip (whatever its name says). */
export function readIdxFile(path: string, fix?: string): IdxArray {
  let bytes: Uint8Array = readFileSync(path);
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new UserError(`${path} is a damaged gzip file (${(error as Error).message})`, fix ?? 'replace the file with an intact copy');
    }
  }
  return parseIdx(bytes, path, fix);
}

/** Encode uint8 data as IDX bytes (optionally gzipped): the exact format of the MNIST files. */
export function encodeIdx(dims: readonly number[], data: Uint8Array, options: { gzip?: boolean } = {}): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`encodeIdx: dims [${dims.join(', ')}] hold ${count} bytes, data has ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (UBYTE << 8) | dims.length, false);
  dims.forEach((n, d) => view.setUint32(4 + 4 * d, n, false));
  out.set(data, 4 + 4 * dims.length);
  return options.gzip ? new Uint8Array(gzipSync(out)) : out;
}

/**
 * The file holding `kind` of `split` in `dir`, among the names MNIST-style sets ship under
 * (`train-images-idx3-ubyte`, `…-idx3-ubyte.gz`, `train-images.idx3-ubyte`); undefined if none.
 */
export function findIdxFile(dir: string, split: 'train' | 'test', kind: 'images' | 'labels'): string | undefined {
  return idxFileNames(split, kind)
    .map((name) => join(dir, name))
    .find((path) => existsSync(path));
}

export function idxFileNames(split: 'train' | 'test', kind: 'images' | 'labels'): string[] {
  const prefix = split === 'train' ? 'train' : 't10k';
  const rank = kind === 'images' ? 3 : 1;
  const stems = [`${prefix}-${kind}-idx${rank}-ubyte`, `${prefix}-${kind}.idx${rank}-ubyte`];
  return stems.flatMap((stem) => [`${stem}.gz`, stem]);
}

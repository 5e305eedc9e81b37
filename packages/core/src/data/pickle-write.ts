import { NdArray, NumpyDtype } from './pickle.js';

/**
 * A minimal writer of Python pickles (protocol 3, readable by every Python 3 and by
 * `unpickle`), enough for weight files such as detectron2's `.pkl` checkpoints: None,
 * booleans, integers, floats, strings, bytes, lists, tuples, dicts and numpy arrays.
 * Numpy arrays are written as numpy itself pickles them (`numpy.core.multiarray._reconstruct`,
 * then the state (1, shape, dtype, is_fortran, raw bytes)); numpy 1.x and 2.x both load
 * that name. A JS number is written as a Python int when it is an integer, else as a float.
 */
export type PickleWritable =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | PickleWritable[]
  | PickleTuple
  | ReadonlyMap<string | number, PickleWritable>
  | NdArray;

/** A Python tuple (a JS array is written as a list). */
export class PickleTuple {
  constructor(readonly items: readonly PickleWritable[]) {}
}

/** A little-endian float32 numpy array of `shape` (C order) over a copy of `values`. */
export function float32NdArray(values: Float32Array, shape: readonly number[]): NdArray {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== values.length) throw new Error(`float32NdArray: ${values.length} values for shape [${shape.join(', ')}]`);
  const array = new NdArray();
  array.shape = [...shape];
  array.dtype = new NumpyDtype('f4');
  array.dtype.byteOrder = '<';
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i]!, true);
  array.data = bytes;
  return array;
}

const BATCH = 1000; // items per APPENDS / SETITEMS, as Python's pickler batches them

class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private readonly encoder = new TextEncoder();

  bytes(...values: number[]): void {
    this.push(Uint8Array.from(values));
  }

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  u32(n: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n, true);
    this.push(b);
  }

  result(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  string(text: string): void {
    const utf8 = this.encoder.encode(text);
    this.bytes(0x58); // BINUNICODE
    this.u32(utf8.length);
    this.push(utf8);
  }

  global(module: string, name: string): void {
    this.bytes(0x63); // GLOBAL
    this.push(this.encoder.encode(`${module}\n${name}\n`));
  }

  int(n: number): void {
    if (n >= 0 && n < 256) this.bytes(0x4b, n); // BININT1
    else if (n >= 0 && n < 65536) this.bytes(0x4d, n & 0xff, n >> 8); // BININT2
    else if (n >= -(2 ** 31) && n < 2 ** 31) {
      this.bytes(0x4a); // BININT
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, n, true);
      this.push(b);
    } else {
      // LONG1: little-endian two's complement, as few bytes as hold the sign.
      if (!Number.isSafeInteger(n)) throw new Error(`pickle: integer ${n} is beyond 2^53`);
      let v = BigInt(n);
      const out: number[] = [];
      for (;;) {
        out.push(Number(v & 0xffn));
        v >>= 8n;
        const sign = (out[out.length - 1]! & 0x80) !== 0;
        if ((v === 0n && !sign) || (v === -1n && sign)) break;
      }
      this.bytes(0x8a, out.length, ...out);
    }
  }

  tuple(items: readonly PickleWritable[]): void {
    if (items.length === 0) return this.bytes(0x29); // EMPTY_TUPLE
    if (items.length <= 3) {
      for (const item of items) this.value(item);
      return this.bytes(0x84 + items.length); // TUPLE1 / TUPLE2 / TUPLE3
    }
    this.bytes(0x28); // MARK
    for (const item of items) this.value(item);
    this.bytes(0x74); // TUPLE
  }

  ndarray(array: NdArray): void {
    const { code, byteOrder } = array.dtype;
    const width = Number(code.slice(1));
    const count = array.shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(width) || array.data.length !== count * width) {
      throw new Error(`pickle: array of dtype ${code} and shape [${array.shape.join(', ')}] holds ${array.data.length} bytes`);
    }
    this.global('numpy.core.multiarray', '_reconstruct');
    this.global('numpy', 'ndarray');
    this.tuple([0]);
    this.bytes(0x43, 1, 0x62); // SHORT_BINBYTES b'b'
    this.bytes(0x87, 0x52); // TUPLE3, REDUCE
    this.bytes(0x28); // MARK: the state tuple
    this.int(1);
    this.tuple(array.shape);
    this.global('numpy', 'dtype');
    this.string(code);
    this.bytes(0x89, 0x88, 0x87, 0x52); // False, True, TUPLE3, REDUCE
    // The dtype's state: (3, byte order, None, None, None, -1, -1, 0).
    this.bytes(0x28);
    this.int(3);
    this.string(width === 1 ? '|' : byteOrder === '|' ? '<' : byteOrder);
    this.bytes(0x4e, 0x4e, 0x4e);
    this.int(-1);
    this.int(-1);
    this.int(0);
    this.bytes(0x74, 0x62); // TUPLE, BUILD
    this.bytes(array.fortranOrder ? 0x88 : 0x89);
    this.bytes(0x42); // BINBYTES
    this.u32(array.data.length);
    this.push(array.data);
    this.bytes(0x74, 0x62); // TUPLE, BUILD
  }

  value(v: PickleWritable): void {
    if (v === null) this.bytes(0x4e);
    else if (v === true) this.bytes(0x88);
    else if (v === false) this.bytes(0x89);
    else if (typeof v === 'number') {
      if (Number.isInteger(v)) this.int(v);
      else {
        const b = new Uint8Array(9);
        b[0] = 0x47; // BINFLOAT, big-endian
        new DataView(b.buffer).setFloat64(1, v, false);
        this.push(b);
      }
    } else if (typeof v === 'string') this.string(v);
    else if (v instanceof Uint8Array) {
      this.bytes(0x42); // BINBYTES
      this.u32(v.length);
      this.push(v);
    } else if (v instanceof NdArray) this.ndarray(v);
    else if (v instanceof PickleTuple) this.tuple(v.items);
    else if (Array.isArray(v)) {
      this.bytes(0x5d); // EMPTY_LIST
      for (let i = 0; i < v.length; i += BATCH) {
        this.bytes(0x28);
        for (const item of v.slice(i, i + BATCH)) this.value(item);
        this.bytes(0x65); // APPENDS
      }
    } else if (v instanceof Map) {
      this.bytes(0x7d); // EMPTY_DICT
      const entries = [...v.entries()];
      for (let i = 0; i < entries.length; i += BATCH) {
        this.bytes(0x28);
        for (const [key, item] of entries.slice(i, i + BATCH)) {
          this.value(key);
          this.value(item);
        }
        this.bytes(0x75); // SETITEMS
      }
    } else throw new Error(`pickle: cannot write ${Object.prototype.toString.call(v)}`);
  }
}

/** The pickle of `value` (protocol 3). */
export function pickle(value: PickleWritable): Uint8Array {
  const writer = new Writer();
  writer.bytes(0x80, 3); // PROTO 3
  writer.value(value);
  writer.bytes(0x2e); // STOP
  return writer.result();
}

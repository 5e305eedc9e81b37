import { UserError } from '../errors.js';

/**
 * A minimal reader of Python pickles, enough for the dataset files torchvision downloads
 * (CIFAR's `cifar-10-batches-py`, `cifar-100-python`): dicts, lists, tuples, ints, strings,
 * bytes and uint8 numpy arrays, in protocols 2 (the real files, and Python 3's
 * `protocol=2`) to 5. It runs no code: the only globals it knows are the handful that
 * rebuild numpy arrays and bytes; anything else is refused with the global's name.
 *
 * Values come out as: None → null, bool → boolean, int → number, float → number,
 * str → string, bytes / Python 2 str / bytearray → Uint8Array, list and tuple → array,
 * dict → Map (byte-string keys become latin-1 strings, so b'data' is looked up as 'data'),
 * numpy array → NdArray.
 */
export type PickleValue = null | boolean | number | string | Uint8Array | PickleValue[] | PickleDict | NdArray | NumpyDtype | PickleGlobal;
export type PickleDict = Map<string | number, PickleValue>;

/** A numpy array's header and raw bytes (C order unless `fortranOrder`). */
export class NdArray {
  shape: number[] = [];
  dtype: NumpyDtype = new NumpyDtype('u1');
  fortranOrder = false;
  data: Uint8Array = new Uint8Array(0);
}

/** A numpy dtype: `code` like 'u1', 'i8'; `byteOrder` '|' (not applicable), '<' or '>'. */
export class NumpyDtype {
  byteOrder = '|';
  constructor(readonly code: string) {}
}

/** A global the reader lets a pickle call with REDUCE (or pass along, like numpy.ndarray). */
type Callable = (args: PickleValue[]) => PickleValue;
export class PickleGlobal {
  constructor(readonly name: string, readonly call: Callable) {}
}

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** Python's bytes(text, 'latin1'): how Python 3 writes bytes in protocol 2 (`_codecs.encode`). */
function latin1Bytes(text: string, file: string, fix: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 255) throw new UserError(`${file}: a latin-1 byte string holds the character U+${code.toString(16)}`, fix);
    out[i] = code;
  }
  return out;
}

function ndarrayFromState(array: NdArray, state: PickleValue, file: string, fix: string): void {
  // numpy's __setstate__: (version, shape, dtype, is_fortran, raw) or, older, without version.
  if (!Array.isArray(state) || (state.length !== 5 && state.length !== 4)) {
    throw new UserError(`${file}: a numpy array has a state this reader does not know`, fix);
  }
  const [shape, dtype, fortran, raw] = state.length === 5 ? state.slice(1) : state;
  if (!Array.isArray(shape) || !shape.every((n) => typeof n === 'number')) throw new UserError(`${file}: a numpy array has no valid shape`, fix);
  if (!(dtype instanceof NumpyDtype)) throw new UserError(`${file}: a numpy array has no valid dtype`, fix);
  if (!(raw instanceof Uint8Array)) {
    throw new UserError(`${file}: a numpy array of dtype ${dtype.code} holds Python objects, not raw bytes`, fix);
  }
  array.shape = shape as number[];
  array.dtype = dtype;
  array.fortranOrder = fortran === true || fortran === 1;
  array.data = raw;
}

function globals(file: string, fix: string): Map<string, Callable> {
  const reconstruct: Callable = () => new NdArray();
  const frombuffer: Callable = ([buffer, dtype, shape, order]) => {
    const array = new NdArray();
    ndarrayFromState(array, [shape ?? null, dtype ?? null, order === 'F', buffer ?? null], file, fix);
    return array;
  };
  const table = new Map<string, Callable>([
    ['numpy.ndarray', () => null],
    ['numpy.dtype', ([code]) => {
      // Python 2 pickles spell the code as a byte string.
      const text = code instanceof Uint8Array ? latin1.decode(code) : code;
      if (typeof text !== 'string') throw new UserError(`${file}: a numpy dtype has no type code`, fix);
      return new NumpyDtype(text);
    }],
    ['_codecs.encode', ([text, encoding]) => {
      if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
        throw new UserError(`${file}: _codecs.encode is only understood with a string and 'latin1'`, fix);
      }
      return latin1Bytes(text, file, fix);
    }],
    ['__builtin__.bytes', () => new Uint8Array(0)],
    ['builtins.bytes', () => new Uint8Array(0)],
    ['builtins.bytearray', ([value]) => (value instanceof Uint8Array ? value : new Uint8Array(0))],
  ]);
  // numpy moved its internals from numpy.core to numpy._core in 2.0; pickles name either.
  for (const pkg of ['numpy.core', 'numpy._core']) {
    table.set(`${pkg}.multiarray._reconstruct`, reconstruct);
    table.set(`${pkg}.numeric._frombuffer`, frombuffer);
  }
  return table;
}

/** Decode one pickle; `file` names the source in errors, `fix` tells the user what to do. */
export function unpickle(bytes: Uint8Array, file: string, fix = 'replace the file with an intact copy'): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const known = globals(file, fix);
  const stack: StackItem[] = [];
  const memo = new Map<number, StackItem>();
  let pos = 0;
  const fail = (what: string): never => {
    throw new UserError(`${file} is not a pickle this reader understands: ${what} (at byte ${pos})`, fix);
  };
  const need = (n: number): number => {
    if (n < 0 || pos + n > bytes.length) fail(`it is truncated (${n} more bytes needed, ${bytes.length - pos} left)`);
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = (): number => bytes[need(1)]!;
  const u16 = (): number => view.getUint16(need(2), true);
  const i32 = (): number => view.getInt32(need(4), true);
  const u32 = (): number => view.getUint32(need(4), true);
  const u64 = (): number => {
    const at = need(8);
    const value = view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail('a length beyond 2^53');
    return Number(value);
  };
  const take = (n: number): Uint8Array => {
    const at = need(n);
    return bytes.subarray(at, at + n);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('a GLOBAL name has no end of line');
    const text = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const pop = (): StackItem => {
    if (stack.length === 0) fail('the stack is empty');
    return stack.pop()!;
  };
  const value = (item: StackItem): PickleValue => {
    if (item === MARK) fail('a MARK is used as a value');
    return item as PickleValue;
  };
  const popValue = (): PickleValue => value(pop());
  /** Everything above the topmost MARK, which is removed. */
  const popMark = (): PickleValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail('no MARK for a multi-item opcode');
    const items = stack.splice(at).slice(1);
    return items.map(value);
  };
  const top = (): StackItem => {
    if (stack.length === 0) fail('the stack is empty');
    return stack[stack.length - 1]!;
  };
  const global = (module: string, name: string): PickleGlobal => {
    const qualified = `${module}.${name}`;
    const call = known.get(qualified);
    if (!call) fail(`it refers to the Python global ${qualified}, which this reader does not rebuild`);
    return new PickleGlobal(qualified, call!);
  };
  const dictKey = (key: PickleValue): string | number => {
    if (typeof key === 'string' || typeof key === 'number') return key;
    if (key instanceof Uint8Array) return latin1.decode(key);
    return fail('a dict key is not a string, bytes or int');
  };
  const setItems = (dict: StackItem, items: PickleValue[]): void => {
    if (!(dict instanceof Map)) fail('SETITEM(S) on something that is not a dict');
    for (let k = 0; k + 1 < items.length; k += 2) (dict as PickleDict).set(dictKey(items[k]!), items[k + 1]!);
  };
  const append = (list: StackItem, items: PickleValue[]): void => {
    if (!Array.isArray(list)) fail('APPEND(S) on something that is not a list');
    for (const item of items) (list as PickleValue[]).push(item);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('protocol above 5');
        break;
      case 0x95: // FRAME: a length prefix only, the bytes follow inline
        u64();
        break;
      case 0x2e: // STOP
        return popValue();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: { // LONG1: little-endian two's complement of n bytes
        const raw = take(u8());
        let n = 0n;
        for (let k = raw.length - 1; k >= 0; k--) n = (n << 8n) | BigInt(raw[k]!);
        if (raw.length > 0 && raw[raw.length - 1]! >= 0x80) n -= 1n << BigInt(8 * raw.length);
        if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER)) fail('an integer beyond 2^53');
        stack.push(Number(n));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8.decode(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8.decode(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8.decode(take(u64())));
        break;
      case 0x55: // SHORT_BINSTRING (a Python 2 str: bytes)
        stack.push(take(u8()));
        break;
      case 0x54: { // BINSTRING
        const n = i32();
        if (n < 0) fail('a negative string length');
        stack.push(take(n));
        break;
      }
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(take(u64()));
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: { // DICT
        const dict: PickleDict = new Map();
        setItems(dict, popMark());
        stack.push(dict);
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push([popValue()]);
        break;
      case 0x86: { // TUPLE2
        const b = popValue();
        stack.push([popValue(), b]);
        break;
      }
      case 0x87: { // TUPLE3
        const c = popValue();
        const b = popValue();
        stack.push([popValue(), b, c]);
        break;
      }
      case 0x61: { // APPEND
        const item = popValue();
        append(top(), [item]);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x73: { // SETITEM
        const v = popValue();
        const k = popValue();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x63: { // GLOBAL "module\nname\n"
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = popValue();
        const module = popValue();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE
        const args = popValue();
        const callable = popValue();
        if (!(callable instanceof PickleGlobal)) fail('REDUCE on something that is not a known global');
        if (!Array.isArray(args)) fail('REDUCE arguments are not a tuple');
        stack.push((callable as PickleGlobal).call(args as PickleValue[]));
        break;
      }
      case 0x62: { // BUILD
        const state = popValue();
        const target = top();
        if (target instanceof NdArray) ndarrayFromState(target, state, file, fix);
        else if (target instanceof NumpyDtype) {
          // (version, byteorder, subdescr, names, fields, elsize, alignment, flags)
          const order = Array.isArray(state) ? state[1] : undefined;
          if (typeof order === 'string') target.byteOrder = order;
          else if (order instanceof Uint8Array) target.byteOrder = latin1.decode(order);
        } else fail('BUILD on an object other than a numpy array or dtype');
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: { // LONG_BINGET
        const key = op === 0x68 ? u8() : u32();
        if (!memo.has(key)) fail(`memo entry ${key} is read before it is written`);
        stack.push(memo.get(key)!);
        break;
      }
      default:
        pos--;
        fail(`opcode 0x${op.toString(16).padStart(2, '0')} is not supported`);
    }
  }
}

/** A str, or bytes decoded as UTF-8 (Python 2 pickles store text as bytes). */
export function pickleText(value: PickleValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return utf8.decode(value);
  return undefined;
}

const INTEGER_DTYPES: Record<string, (view: DataView, at: number, little: boolean) => number> = {
  u1: (v, at) => v.getUint8(at),
  i1: (v, at) => v.getInt8(at),
  u2: (v, at, le) => v.getUint16(at, le),
  i2: (v, at, le) => v.getInt16(at, le),
  u4: (v, at, le) => v.getUint32(at, le),
  i4: (v, at, le) => v.getInt32(at, le),
  i8: (v, at, le) => Number(v.getBigInt64(at, le)),
  u8: (v, at, le) => Number(v.getBigUint64(at, le)),
};

/**
 * A list of Python ints, or a 1-D integer numpy array, as numbers; undefined when `value`
 * is neither (or holds something other than integers).
 */
export function pickleIntegers(value: PickleValue | undefined): number[] | undefined {
  if (Array.isArray(value)) return value.every((v) => typeof v === 'number' && Number.isInteger(v)) ? (value as number[]) : undefined;
  if (value instanceof NdArray && value.shape.length === 1) {
    const read = INTEGER_DTYPES[value.dtype.code];
    if (!read) return undefined;
    const width = Number(value.dtype.code.slice(1));
    const n = value.shape[0]!;
    if (value.data.length !== n * width) return undefined;
    const view = new DataView(value.data.buffer, value.data.byteOffset, value.data.byteLength);
    const little = value.dtype.byteOrder !== '>';
    return Array.from({ length: n }, (_, i) => read(view, i * width, little));
  }
  return undefined;
}

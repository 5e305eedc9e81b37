// Reuse of output buffers on the cpu backend.
//
// A training step allocates the same few hundred Float32Arrays every step. `new Float32Array(n)`
// zero-fills fresh memory (and takes page faults on it) each time; handing a disposed tensor's
// array to the next kernel that needs the same length doubled the throughput of a ResNet step.
//
// A buffer is recycled only when nothing else can still see it. The cpu backend's own methods
// are wrapped to track that:
// - readSync/read (dataSync(), data(), bufferSync(), moving data to another backend) return the
//   backend's array itself, so an array that was ever read out is never recycled;
// - write() with an array that already backs a tensor (a stock kernel's zero-copy output, such
//   as Slice's subarray view or a pass-through) means two tensors share it: never recycled;
// - disposeData() recycles an array we allocated when its last tensor goes away.
// Only arrays taken from this pool are ever recycled, never a caller's own.
import type { CpuBackend, DataId } from './cpu-backend.js';

const TAKEN = 1; // handed to a kernel, not yet attached to a tensor
const LIVE = 2; // backs exactly one tensor's data

export interface BufferPoolOptions {
  /** Most bytes kept for reuse (default 1/8 of the machine's memory, at most 4 GiB). */
  maxFreeBytes: number;
  /** Fill reused buffers with NaN, so a kernel that leaves an element unwritten shows (tests). */
  poison?: boolean;
}

export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private readonly state = new WeakMap<ArrayBufferLike, number>();
  private freeBytes = 0;
  private restore: (() => void) | undefined;
  /** Buffers handed out, and how many of those were reused (for diagnostics). */
  taken = 0;
  reused = 0;

  constructor(private readonly options: BufferPoolOptions) {}

  /** A Float32Array of length n whose contents are garbage: the caller writes every element. */
  take(n: number): Float32Array {
    this.taken++;
    const list = this.free.get(n);
    let buffer = list?.pop();
    if (buffer !== undefined) {
      this.reused++;
      this.freeBytes -= buffer.byteLength;
      if (this.options.poison) buffer.fill(Number.NaN);
    } else {
      buffer = new Float32Array(n);
    }
    this.state.set(buffer.buffer, TAKEN);
    return buffer;
  }

  /** Bytes held for reuse now. */
  get heldBytes(): number {
    return this.freeBytes;
  }

  private recycle(values: unknown): void {
    if (!(values instanceof Float32Array)) return;
    const buffer = values.buffer;
    if (this.state.get(buffer) !== LIVE || values.byteOffset !== 0 || values.byteLength !== buffer.byteLength) return;
    this.state.delete(buffer);
    if (this.freeBytes + values.byteLength > this.options.maxFreeBytes) return;
    let list = this.free.get(values.length);
    if (list === undefined) this.free.set(values.length, (list = []));
    list.push(values);
    this.freeBytes += values.byteLength;
  }

  /** Wraps the backend's write/readSync/disposeData; idempotent; undone by uninstall(). */
  install(backend: CpuBackend): void {
    if (this.restore !== undefined) return;
    const own = backend as unknown as Record<string, unknown>;
    const had = {
      write: Object.prototype.hasOwnProperty.call(own, 'write') ? own.write : undefined,
      readSync: Object.prototype.hasOwnProperty.call(own, 'readSync') ? own.readSync : undefined,
      disposeData: Object.prototype.hasOwnProperty.call(own, 'disposeData') ? own.disposeData : undefined,
    };
    const write = backend.write.bind(backend);
    const readSync = backend.readSync.bind(backend);
    const disposeData = backend.disposeData.bind(backend);
    const state = this.state;

    backend.write = (values, shape, dtype) => {
      if (ArrayBuffer.isView(values)) {
        const s = state.get(values.buffer);
        if (s === TAKEN) state.set(values.buffer, LIVE);
        else if (s === LIVE) state.delete(values.buffer); // now shared by two tensors
      }
      return write(values, shape, dtype);
    };
    backend.readSync = (dataId: DataId) => {
      const values = readSync(dataId);
      if (ArrayBuffer.isView(values)) state.delete(values.buffer); // the caller holds it now
      return values;
    };
    backend.disposeData = (dataId: DataId, force = false) => {
      const values = backend.data.has(dataId) ? backend.data.get(dataId).values : undefined;
      const released = disposeData(dataId, force);
      if (released && values !== undefined && !backend.data.has(dataId)) this.recycle(values);
      return released;
    };
    this.restore = () => {
      for (const [name, value] of Object.entries(had)) {
        if (value === undefined) delete own[name];
        else own[name] = value;
      }
    };
  }

  /** Restores the backend's methods and drops every held buffer. */
  uninstall(): void {
    this.restore?.();
    this.restore = undefined;
    this.free.clear();
    this.freeBytes = 0;
  }
}

import { existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * TensorBoard event files, written without TensorFlow: a TFRecord file of `Event` protocol
 * buffers (tensorflow/core/util/event.proto), scalars as `Summary.Value.simple_value`, the
 * layout TensorBoard's own writers produce. `tensorboard --logdir runs/` reads them.
 */

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as TFRecord framing uses.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15, add a constant (so CRCs of CRCs stay distinct). */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One TFRecord: uint64 length, masked CRC of the length, the data, masked CRC of the data (little-endian). */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

// ---- protocol buffer encoding, only what Event needs ----

function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}

const utf8 = new TextEncoder();

function lengthDelimited(field: number, payload: Uint8Array | number[]): number[] {
  return [...varint((field << 3) | 2), ...varint(payload.length), ...payload];
}

function double(field: number, value: number): number[] {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value, true);
  return [...varint((field << 3) | 1), ...bytes];
}

function float(field: number, value: number): number[] {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setFloat32(0, value, true);
  return [...varint((field << 3) | 5), ...bytes];
}

export interface EventRecord {
  /** Seconds since the Unix epoch. */
  wallTime: number;
  step: number;
  /** `file_version` (the first event of a file: "brain.Event:2"). */
  fileVersion?: string;
  /** Scalars, by tag. */
  scalars?: Record<string, number>;
  /** A SessionLog START at this step: TensorBoard drops what an earlier session logged from this step on. */
  sessionStart?: boolean;
}

/**
 * Event{1: wall_time double, 2: step int64, 3: file_version string, 5: summary, 6: session_log};
 * Summary{1: repeated Value}; Value{1: tag string, 2: simple_value float}; SessionLog{1: status, START = 1}.
 */
export function encodeEvent(event: EventRecord): Uint8Array {
  const bytes: number[] = [...double(1, event.wallTime), ...varint((2 << 3) | 0), ...varint(Math.trunc(event.step))];
  if (event.fileVersion !== undefined) bytes.push(...lengthDelimited(3, utf8.encode(event.fileVersion)));
  const entries = Object.entries(event.scalars ?? {}).filter(([, v]) => typeof v === 'number');
  if (entries.length) {
    const summary = entries.flatMap(([tag, value]) => lengthDelimited(1, [...lengthDelimited(1, utf8.encode(tag)), ...float(2, value)]));
    bytes.push(...lengthDelimited(5, summary));
  }
  if (event.sessionStart) bytes.push(...lengthDelimited(6, [...varint((1 << 3) | 0), ...varint(1)]));
  return Uint8Array.from(bytes);
}

/** `events.out.tfevents.<seconds>.<host>`, TensorBoard's file name pattern. */
export function eventFileName(wallTime: number, host = hostname()): string {
  return `events.out.tfevents.${Math.floor(wallTime)}.${host.replace(/[^\w.-]+/g, '-')}`;
}

/** The folder of a run that holds its event files (`tensorboard --logdir` finds them). */
export const TENSORBOARD_DIR = 'tensorboard';

/**
 * Appends scalar events to one new event file. Each record is appended whole (a crash leaves
 * at most a torn last record, which TensorBoard's reader stops at).
 */
export class EventFileWriter {
  private constructor(readonly path: string) {}

  /** A new file in `dir`, opened with its file-version event. */
  static async create(dir: string, wallTime = Date.now() / 1000): Promise<EventFileWriter> {
    await mkdir(dir, { recursive: true });
    let path = join(dir, eventFileName(wallTime));
    // Two files started in the same second (a quick resume) get distinct names.
    for (let n = 1; existsSync(path); n++) path = join(dir, `${eventFileName(wallTime)}.${n}`);
    const writer = new EventFileWriter(path);
    await writer.write({ wallTime, step: 0, fileVersion: 'brain.Event:2' });
    return writer;
  }

  async write(event: EventRecord): Promise<void> {
    await appendFile(this.path, tfRecord(encodeEvent(event)));
  }

  async writeMany(events: readonly EventRecord[]): Promise<void> {
    if (!events.length) return;
    const records = events.map((e) => tfRecord(encodeEvent(e)));
    const all = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
    let at = 0;
    for (const r of records) {
      all.set(r, at);
      at += r.length;
    }
    await appendFile(this.path, all);
  }
}


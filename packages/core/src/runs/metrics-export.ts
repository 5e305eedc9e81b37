import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { appendMetrics, readMetrics, readRunStatus, RUN_FILES } from './run-dir.js';
import { EventFileWriter, TENSORBOARD_DIR, type EventRecord } from './tfevents.js';

/**
 * A run's metrics for the tools people already use: TensorBoard event files (written while
 * training and re-made from metrics.jsonl on demand) and a CSV spreadsheets open.
 */

/** Keys of a metrics line that are its coordinates, not scalars. */
const COORDINATES = new Set(['step', 'time', 'wall_time']);

/** Tag of a metrics key in TensorBoard: grouped under "pretrain/". */
export const scalarTag = (key: string): string => `pretrain/${key}`;

function scalarsOf(record: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(record)) if (!COORDINATES.has(k) && typeof v === 'number' && Number.isFinite(v)) out[scalarTag(k)] = v;
  return out;
}

/**
 * Metrics lines in step order, one per step. A run killed after logging but before its next
 * checkpoint logs those steps again when resumed: the later line is what the final weights saw.
 */
export function metricsByStep(records: ReadonlyArray<Record<string, unknown>>): Array<Record<string, unknown>> {
  const byStep = new Map<number, Record<string, unknown>>();
  for (const r of records) if (typeof r.step === 'number') byStep.set(r.step, r);
  return [...byStep.values()].sort((a, b) => (a.step as number) - (b.step as number));
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV (RFC 4180): a header of every key (step and epoch first, the rest as first seen), a row per step. */
export function metricsCsv(records: ReadonlyArray<Record<string, unknown>>): string {
  const rows = metricsByStep(records);
  const keys = ['step', 'epoch'];
  for (const r of rows) for (const k of Object.keys(r)) if (!keys.includes(k)) keys.push(k);
  const lines = [keys.map(csvCell).join(','), ...rows.map((r) => keys.map((k) => csvCell(r[k])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** Writes `<run>/metrics.csv` (atomically) from metrics.jsonl; returns its path. */
export async function writeMetricsCsv(runDir: string): Promise<string> {
  const path = join(runDir, 'metrics.csv');
  await writeFileAtomic(path, metricsCsv(await readMetrics(runDir)));
  return path;
}

/**
 * Re-makes a run's TensorBoard events from its files: one new event file in
 * `<run>/tensorboard/` replacing those there, with a scalar per metrics key and step (wall
 * time from the line, else the run's start plus its `time`), and each evaluation's metrics
 * (`eval/<name>/<metric>`) at the last step.
 */
export async function writeTensorBoardEvents(runDir: string): Promise<{ path: string; events: number }> {
  const status = await readRunStatus(runDir);
  const rows = metricsByStep(await readMetrics(runDir));
  const start = status?.startedAt ? Date.parse(status.startedAt) / 1000 : Date.now() / 1000;
  const events: EventRecord[] = rows.map((r) => ({
    wallTime: typeof r.wall_time === 'number' ? r.wall_time : start + (typeof r.time === 'number' ? r.time : 0),
    step: r.step as number,
    scalars: scalarsOf(r),
  }));
  const lastStep = Math.max(status?.step ?? 0, ...rows.map((r) => r.step as number));
  const evalDir = join(runDir, RUN_FILES.eval);
  if (existsSync(evalDir)) {
    for (const file of (await readdir(evalDir)).filter((f) => f.endsWith('.json')).sort()) {
      let result: { metrics?: Record<string, unknown> };
      try {
        result = JSON.parse(await readFile(join(evalDir, file), 'utf8')) as typeof result;
      } catch {
        continue; // a result being written: the next export has it
      }
      const scalars: Record<string, number> = {};
      for (const [k, v] of Object.entries(result.metrics ?? {})) if (typeof v === 'number' && Number.isFinite(v)) scalars[`eval/${file.slice(0, -5)}/${k}`] = v;
      if (Object.keys(scalars).length) events.push({ wallTime: events.at(-1)?.wallTime ?? start, step: lastStep, scalars });
    }
  }
  const dir = join(runDir, TENSORBOARD_DIR);
  if (existsSync(dir)) {
    for (const f of await readdir(dir)) if (f.startsWith('events.out.tfevents.')) await rm(join(dir, f), { force: true });
  }
  const writer = await EventFileWriter.create(dir, start);
  await writer.writeMany(events);
  return { path: writer.path, events: events.length };
}

/**
 * Where pre-training logs its metrics: a line of metrics.jsonl and the same scalars in this
 * session's TensorBoard event file. A resumed session starts its file with a SessionLog START
 * at the step it resumes from, so TensorBoard drops what a killed session logged past it.
 */
export class MetricsLog {
  private constructor(
    private readonly runDir: string,
    private readonly events: EventFileWriter,
  ) {}

  static async open(runDir: string, resumedAt: number): Promise<MetricsLog> {
    const events = await EventFileWriter.create(join(runDir, TENSORBOARD_DIR));
    if (resumedAt > 0) await events.write({ wallTime: Date.now() / 1000, step: resumedAt, sessionStart: true });
    return new MetricsLog(runDir, events);
  }

  async append(record: Record<string, unknown> & { step: number }): Promise<void> {
    await appendMetrics(this.runDir, record);
    await this.events.write({ wallTime: Date.now() / 1000, step: record.step, scalars: scalarsOf(record) });
  }
}

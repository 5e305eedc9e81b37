import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { arch, cpus, hostname, platform, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { writeJsonAtomic } from './atomic-write.js';

/**
 * A run directory is the unit of truth: config.json, status.json, metrics.jsonl,
 * checkpoints/, eval/<evaluator>.json. Plain files, so results tables can be rebuilt from
 * any set of run directories, on a laptop or a cluster's shared file system.
 */
export const RUN_FILES = {
  config: 'config.json',
  status: 'status.json',
  metrics: 'metrics.jsonl',
  checkpoints: 'checkpoints',
  eval: 'eval',
} as const;

export type RunState = 'running' | 'completed' | 'stopped-nan' | 'aborted' | 'failed-backend' | 'failed';

/** A resumed run that continued on another backend than it had been computing on. */
export interface BackendChange {
  /** The step the new backend started from. */
  step: number;
  from: string;
  to: string;
}

export interface RunStatus {
  state: RunState;
  /** Epochs and steps finished (a resumed run continues from here). */
  epoch: number;
  step: number;
  totalSteps: number;
  /** Name of the newest complete checkpoint under checkpoints/, if any. */
  checkpoint: string | null;
  /** The backend computing (tfjs' name, e.g. 'wasm', or 'native'), which may differ from the one asked for. */
  backend: string;
  /** Where the last session trained (reports list it: a cluster's nodes are not the report's machine). */
  machine?: MachineInfo;
  /** The backend the config asked for (e.g. 'auto'), and why `backend` is the one in use. */
  backendRequested?: string;
  backendReason?: string;
  /** The GPU adapter, on webgpu: "vendor architecture device, hardware|software". */
  adapter?: string;
  /** Every time a resumed run changed backend, so numbers computed on two engines are visible. */
  backendChanges?: BackendChange[];
  startedAt: string;
  updatedAt: string;
  message?: string;
  finalLoss?: number;
}

export interface MachineInfo {
  host: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
}

/** This machine, as a run records it. */
export function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    host: hostname(),
    platform: `${platform()} ${release()} (${arch()})`,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.versions.node,
  };
}

/** A name that is safe as a file or folder name: letters, digits, ".", "_", "-" (ids, evaluation and table names). */
export const NAME_PATTERN = /^[\w.-]+$/;

/** Text as a piece of a run id or file name: lower case letters, digits and ".", any other run of characters one "-" ("x" when nothing is left). */
export function idSlug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

/** Stable short id of a config: the same resolved config always gets the same id. */
export function configId(config: unknown): string {
  return createHash('sha256').update(stableStringify(config)).digest('hex').slice(0, 10);
}

/** JSON with object keys sorted, so equal configs hash equally. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A fresh directory name under `root`: `<label>-<yyyymmdd-hhmmss>`, never reusing one. */
export function newRunDir(root: string, label: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const safe = label.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
  let dir = resolve(root, `${safe}-${stamp}`);
  for (let n = 2; existsSync(dir); n++) dir = resolve(root, `${safe}-${stamp}-${n}`);
  return dir;
}

export async function readJson<T>(path: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UserError(`${what} not found: ${path}`, 'check the path of the run directory');
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new UserError(`${what} is not valid JSON: ${path} (${(error as Error).message})`, 'restore or delete the file');
  }
}

export async function readRunStatus(runDir: string): Promise<RunStatus | null> {
  const path = join(runDir, RUN_FILES.status);
  if (!existsSync(path)) return null;
  return readJson<RunStatus>(path, 'run status');
}

export async function writeRunStatus(runDir: string, status: RunStatus): Promise<void> {
  await writeJsonAtomic(join(runDir, RUN_FILES.status), { ...status, updatedAt: new Date().toISOString() });
}

/** Appends one metrics line; each line is a complete JSON object (a torn last line is skipped on read). */
export async function appendMetrics(runDir: string, record: Record<string, unknown>): Promise<void> {
  await mkdir(runDir, { recursive: true });
  await appendFile(join(runDir, RUN_FILES.metrics), `${JSON.stringify(record)}\n`);
}

export async function readMetrics(runDir: string): Promise<Array<Record<string, unknown>>> {
  const path = join(runDir, RUN_FILES.metrics);
  if (!existsSync(path)) return [];
  const out: Array<Record<string, unknown>> = [];
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // A line cut by a crash mid-write: the records before it are intact.
    }
  }
  return out;
}

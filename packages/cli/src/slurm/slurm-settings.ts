import { UserError } from '@sempair/core';

/**
 * How `sempair reproduce --executor slurm` asks for resources: the `slurm` section of the
 * config file, each key overridable by a flag. Every array task gets these (one run per task).
 *
 * ```yaml
 * slurm:
 *   partition: gpu
 *   account: my-lab
 *   gpus: 1                 # --gres=gpu:1
 *   cpus: 8                 # --cpus-per-task
 *   memory: 32G             # --mem
 *   time: "12:00:00"        # --time (a run longer than this is continued by a resubmission)
 *   maxParallel: 8          # --array=…%8
 *   extraArgs: ["--qos=normal", "--constraint=a100"]
 *   setup: ["module load nodejs/20"]   # shell lines run before the task's command
 *   node: node              # the node binary there (default: this one's path)
 *   resubmits: 2            # infrastructure failures re-submitted per run
 *   pollSeconds: 15
 *   signalGraceSeconds: 120 # SIGINT this long before the time limit: the run saves a checkpoint
 * ```
 */
export interface SlurmSettings {
  partition?: string;
  account?: string;
  gpus?: number;
  cpus?: number;
  memory?: string;
  time?: string;
  maxParallel?: number;
  jobName?: string;
  /** The node binary on the compute nodes (default: the one running sempair now, as on a shared install). */
  node?: string;
  extraArgs: string[];
  setup: string[];
  resubmits: number;
  pollSeconds: number;
  signalGraceSeconds: number;
}

export const DEFAULT_SLURM: Pick<SlurmSettings, 'extraArgs' | 'setup' | 'resubmits' | 'pollSeconds' | 'signalGraceSeconds'> = {
  extraArgs: [],
  setup: [],
  resubmits: 2,
  pollSeconds: 15,
  signalGraceSeconds: 120,
};

const EXAMPLE = 'write e.g. slurm: { partition: gpu, gpus: 1, cpus: 8, memory: 32G, time: "12:00:00" }';
const KEYS = ['partition', 'account', 'gpus', 'cpus', 'memory', 'time', 'maxParallel', 'jobName', 'node', 'extraArgs', 'setup', 'resubmits', 'pollSeconds', 'signalGraceSeconds'] as const;
type Key = (typeof KEYS)[number];

/** Slurm's memory (`4000`, `32G`, `500M`) and time (`30`, `2:00:00`, `1-12:00:00`) syntaxes. */
const MEMORY = /^\d+(\.\d+)?[KMGT]?$/i;
const TIME = /^(\d+-)?\d+(:\d{1,2}){0,2}$/;
const NAME = /^[\w.@:+-]+$/;

function wholeNumber(where: string, key: string, value: unknown, min: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new UserError(`${where}: slurm.${key} must be a whole number of at least ${min}, got ${JSON.stringify(value)}`, EXAMPLE);
  }
  return n;
}

function stringList(where: string, key: string, value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) {
    throw new UserError(`${where}: slurm.${key} must be a list of strings`, `write e.g. ${key}: ["${key === 'setup' ? 'module load nodejs/20' : '--qos=normal'}"]`);
  }
  return list;
}

/**
 * Checks and completes Slurm settings (config-file section, then flag overrides on top). An
 * unknown key or a value sbatch would refuse is a UserError naming it.
 */
export function parseSlurmSettings(section: unknown, where: string, overrides: Partial<Record<Key, unknown>> = {}): SlurmSettings {
  if (section !== undefined && (typeof section !== 'object' || section === null || Array.isArray(section))) {
    throw new UserError(`${where}: slurm must be a map of settings`, EXAMPLE);
  }
  const given: Record<string, unknown> = { ...(section as Record<string, unknown> | undefined) };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) given[k] = v;
  const out: SlurmSettings = { ...DEFAULT_SLURM, extraArgs: [], setup: [] };
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined || value === null) continue;
    switch (key as Key) {
      case 'partition':
      case 'account':
      case 'jobName':
        if (typeof value !== 'string' || !NAME.test(value)) throw new UserError(`${where}: slurm.${key} must be a name, got ${JSON.stringify(value)}`, EXAMPLE);
        out[key as 'partition' | 'account' | 'jobName'] = value;
        break;
      case 'node':
        if (typeof value !== 'string' || !value.trim()) throw new UserError(`${where}: slurm.node must be the node binary's path or name`, 'write e.g. node: /opt/node20/bin/node');
        out.node = value;
        break;
      case 'memory':
        if (!MEMORY.test(String(value))) throw new UserError(`${where}: slurm.memory '${value}' is not a Slurm memory size`, 'write e.g. memory: 32G (or 500M, or 4000 for MB)');
        out.memory = String(value).toUpperCase();
        break;
      case 'time':
        if (!TIME.test(String(value))) throw new UserError(`${where}: slurm.time '${value}' is not a Slurm time limit`, 'write e.g. time: "12:00:00" (hours:minutes:seconds) or "1-00:00:00" (days-hours…)');
        out.time = String(value);
        break;
      case 'gpus':
        out.gpus = wholeNumber(where, key, value, 0);
        break;
      case 'cpus':
      case 'maxParallel':
        out[key as 'cpus' | 'maxParallel'] = wholeNumber(where, key, value, 1);
        break;
      case 'resubmits':
      case 'pollSeconds':
      case 'signalGraceSeconds':
        out[key as 'resubmits' | 'pollSeconds' | 'signalGraceSeconds'] = wholeNumber(where, key, value, key === 'pollSeconds' ? 1 : 0);
        break;
      case 'extraArgs':
      case 'setup':
        out[key as 'extraArgs' | 'setup'] = stringList(where, key, value);
        break;
      default:
        throw new UserError(`${where}: unknown key slurm.${key}`, `use one of: ${KEYS.join(', ')}`);
    }
  }
  return out;
}

/** The sbatch options for one array task's resources (not the array, output or job name). */
export function resourceOptions(settings: SlurmSettings): string[] {
  const args: string[] = [];
  if (settings.partition) args.push(`--partition=${settings.partition}`);
  if (settings.account) args.push(`--account=${settings.account}`);
  if (settings.gpus) args.push(`--gres=gpu:${settings.gpus}`);
  if (settings.cpus) args.push(`--cpus-per-task=${settings.cpus}`);
  if (settings.memory) args.push(`--mem=${settings.memory}`);
  if (settings.time) args.push(`--time=${settings.time}`);
  // The batch shell becomes the sempair process (exec), so B: signals sempair itself.
  if (settings.time && settings.signalGraceSeconds > 0) args.push(`--signal=B:INT@${settings.signalGraceSeconds}`);
  return [...args, ...settings.extraArgs];
}

import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { UserError, type OptionValues, type RunConfig, type RunConfigInput } from '@sempair/core';
import { cosmiconfig } from 'cosmiconfig';

/**
 * A sempair config file: the keys of a run's config (method, epochs, training, …) plus a few
 * keys only the CLI reads. Precedence is flags > this file > method and plugin defaults.
 *
 * ```yaml
 * # sempair.config.yaml
 * method: simclr
 * epochs: 20
 * training: { lr: 0.3 }
 * datasetOptions: { perClass: 200 }
 * runsDir: ./runs            # where runs are written (--runs-dir)
 * eval: [linear, knn]        # evaluations after `sempair pretrain` (--eval)
 * evaluators:                # options per evaluator, for --eval and `sempair eval <id>`
 *   linear: { epochs: 50 }
 * data:                      # dataset paths for "$data:<key>" in experiments (--data)
 *   stl10: /data/stl10_binary
 * slurm:                     # resources of `sempair reproduce --executor slurm` (see slurm/slurm-settings.ts)
 *   partition: gpu
 *   gpus: 1
 * experiments:               # named experiments for `sempair reproduce <name>`
 *   mine: { id: mine, grid: { pairs: [semantic-labels, augmented] }, evaluations: [linear] }
 * ```
 */
export interface FileConfig {
  /** Absolute path of the file read, if any. */
  path?: string;
  run: RunConfigInput;
  runsDir?: string;
  eval?: string[];
  evaluators: Record<string, OptionValues>;
  /** Dataset paths by key, for "$data:<key>" references of experiments. */
  data?: Record<string, string>;
  /** Experiments by name (each as an experiment file would hold it; checked when used). */
  experiments?: Record<string, unknown>;
  /** The `slurm` section, checked by parseSlurmSettings when the Slurm executor is used. */
  slurm?: unknown;
}

/** Every key of RunConfig; the compiler keeps this list in step with core's type. */
const RUN_KEYS: Record<keyof RunConfig, true> = {
  method: true,
  methodOptions: true,
  dataset: true,
  datasetOptions: true,
  pairs: true,
  pairOptions: true,
  backbone: true,
  backboneOptions: true,
  augmentation: true,
  epochs: true,
  batchSize: true,
  training: true,
  seed: true,
  backend: true,
  checkpointEvery: true,
  logEvery: true,
};
const CLI_KEYS = ['runsDir', 'eval', 'evaluators', 'data', 'experiments', 'slurm'] as const;

const MODULE = 'sempair';
const SEARCH_PLACES = [
  'package.json',
  `.${MODULE}rc`,
  `.${MODULE}rc.json`,
  `.${MODULE}rc.yaml`,
  `.${MODULE}rc.yml`,
  `.${MODULE}rc.js`,
  `.${MODULE}rc.cjs`,
  `.${MODULE}rc.mjs`,
  `.config/${MODULE}rc`,
  `.config/${MODULE}rc.json`,
  `.config/${MODULE}rc.yaml`,
  `.config/${MODULE}rc.yml`,
  `${MODULE}.config.js`,
  `${MODULE}.config.cjs`,
  `${MODULE}.config.mjs`,
  `${MODULE}.config.json`,
  `${MODULE}.config.yaml`,
  `${MODULE}.config.yml`,
];

function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/** The parser's own message, without the file path it repeats and the code frame it draws. */
function parseProblem(error: unknown, path: string): string {
  const lines = (error instanceof Error ? error.message : String(error))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.includes(path) && !/^[>\d\s|^]*$/.test(l) && !/^\d+\s*\|/.test(l) && !/^>\s*\d+\s*\|/.test(l));
  return (lines[0] ?? 'unreadable').replace(/^(JSON Error|YAMLException|SyntaxError):?\s*/, '');
}

/**
 * Finds and reads the config file: `explicit` (from --config) when given, otherwise the first of
 * SEARCH_PLACES found from `cwd` up to the project root. A missing explicit file, a parse error
 * or an unknown key is a UserError naming the file.
 */
export async function loadConfigFile(explicit: string | undefined, cwd = process.cwd()): Promise<FileConfig> {
  const explorer = cosmiconfig(MODULE, { searchPlaces: SEARCH_PLACES, searchStrategy: 'project', cache: false });
  let path: string | undefined;
  let content: unknown;
  if (explicit) {
    path = resolve(cwd, explicit);
    if (!existsSync(path)) {
      throw new UserError(`config file not found: ${explicit}`, 'check the path given to --config');
    }
  }
  try {
    const found = path ? await explorer.load(path) : await explorer.search(cwd);
    if (found && !found.isEmpty) {
      path = found.filepath;
      content = found.config;
    } else if (found) path = found.filepath;
  } catch (error) {
    const where = path ?? ((error as { filepath?: string }).filepath || 'config file');
    throw new UserError(
      `cannot read config file ${shown(where, cwd)}: ${parseProblem(error, where)}`,
      'fix its syntax, or choose another file with --config',
    );
  }
  return validate(content, path ? shown(path, cwd) : undefined, path);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validate(content: unknown, name: string | undefined, path: string | undefined): FileConfig {
  if (content === undefined || content === null) return { path, run: {}, evaluators: {} };
  const where = `config file ${name}`;
  if (!isObject(content)) {
    throw new UserError(`${where} must contain an object of settings, got ${Array.isArray(content) ? 'a list' : typeof content}`, 'write it as key: value pairs, e.g. epochs: 10');
  }
  const run: Record<string, unknown> = {};
  const file: FileConfig = { path, run: run as RunConfigInput, evaluators: {} };
  for (const [key, value] of Object.entries(content)) {
    if (key in RUN_KEYS) run[key] = value;
    else if (key === 'runsDir') {
      if (typeof value !== 'string') throw new UserError(`${where}: runsDir must be a path`, 'write e.g. runsDir: ./runs');
      file.runsDir = value;
    } else if (key === 'eval') {
      const list = typeof value === 'string' ? value.split(',') : value;
      if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) {
        throw new UserError(`${where}: eval must be a list of evaluator ids`, 'write e.g. eval: [linear, knn]');
      }
      file.eval = list.map((v: string) => v.trim()).filter(Boolean);
    } else if (key === 'evaluators') {
      if (!isObject(value) || Object.values(value).some((v) => !isObject(v))) {
        throw new UserError(`${where}: evaluators must map evaluator ids to options`, 'write e.g. evaluators: { linear: { epochs: 50 } }');
      }
      file.evaluators = value as Record<string, OptionValues>;
    } else if (key === 'data') {
      if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
        throw new UserError(`${where}: data must map data keys to paths`, 'write e.g. data: { stl10: /data/stl10_binary }');
      }
      file.data = value as Record<string, string>;
    } else if (key === 'slurm') {
      file.slurm = value;
    } else if (key === 'experiments') {
      if (!isObject(value) || Object.values(value).some((v) => !isObject(v))) {
        throw new UserError(`${where}: experiments must map names to experiments`, 'write e.g. experiments: { mine: { id: mine, grid: { … } } }');
      }
      file.experiments = value;
    } else {
      throw new UserError(`${where}: unknown key '${key}'`, `use one of: ${[...Object.keys(RUN_KEYS), ...CLI_KEYS].join(', ')}`);
    }
  }
  return file;
}

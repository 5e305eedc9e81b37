import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import {
  experimentPresets,
  expandExperiment,
  expandPreset,
  SCALES,
  studyPresets,
  UserError,
  type ExpandedExperiment,
  type ExperimentInvocation,
  type ExperimentPreset,
  type Registry,
  type RunConfigInput,
  type Scale,
} from '@sempair/core';
import { cosmiconfig } from 'cosmiconfig';
import type { FileConfig } from '../config/load-config.js';
import { readPresetFile } from './preset-file.js';

/** Experiment files found when `sempair reproduce` is given none: `sempair.experiment.*`. */
const EXPERIMENT_FILES = ['yaml', 'yml', 'json', 'js', 'mjs', 'cjs', 'ts'].map((ext) => `sempair.experiment.${ext}`);

/** Where an experiment comes from: a built-in preset, the config file's `experiments`, or a file. */
export type ExperimentSource =
  | { kind: 'preset'; ref: string; preset: ExperimentPreset }
  | { kind: 'study'; ref: string; scale: Scale; spec: unknown }
  | { kind: 'spec'; ref: string; where: string; spec: unknown };

export interface SourceRequest {
  /** The positional argument: a preset id, a name in the config file's `experiments`, or a path. */
  experiment: string | undefined;
  scale?: string;
  /** The hidden --preset-file (an ExperimentPreset as JSON). */
  presetFile?: string;
  file: FileConfig;
  cwd?: string;
}

function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}

async function loadFile(path: string, cwd: string): Promise<unknown> {
  const explorer = cosmiconfig('sempair-experiment', { cache: false });
  try {
    const found = await explorer.load(path);
    if (!found || found.isEmpty) throw new UserError(`experiment file ${shown(path, cwd)} is empty`, 'declare id, grid and evaluations in it');
    return found.config;
  } catch (error) {
    if (error instanceof UserError) throw error;
    const first = (error instanceof Error ? error.message : String(error)).split('\n').find((l) => l.trim() && !l.includes(path)) ?? 'unreadable';
    throw new UserError(`cannot read experiment file ${shown(path, cwd)}: ${first.trim()}`, 'fix its syntax');
  }
}

const known = (): string => [...Object.keys(experimentPresets), ...Object.keys(studyPresets)].join(', ');

/**
 * Finds the experiment: `quick` (and other presets of explicit runs), a study preset at a scale
 * (`table1 --scale cpu`), a name under `experiments:` in the config file, a path to an
 * experiment file (YAML, JSON, JS, TS), or with no argument `sempair.experiment.*` found from
 * the current directory up.
 */
export async function findExperiment(request: SourceRequest): Promise<ExperimentSource> {
  const cwd = request.cwd ?? process.cwd();
  const { experiment, scale } = request;
  if (request.presetFile) {
    const preset = await readPresetFile(request.presetFile);
    return { kind: 'preset', ref: preset.id, preset };
  }
  const study = experiment ? studyPresets[experiment] : undefined;
  if (scale !== undefined && !study) {
    const what = experiment ? `'${experiment}'` : 'an experiment file';
    throw new UserError(`--scale picks the form of a built-in study preset, and ${what} is not one`, `use it with ${Object.keys(studyPresets).join(', ')}`);
  }
  if (study) {
    const chosen = (scale ?? 'paper') as Scale;
    if (!SCALES.includes(chosen)) throw new UserError(`unknown scale '${scale}'`, `use --scale ${SCALES.join(' or ')}`);
    return { kind: 'study', ref: study.id, scale: chosen, spec: study.scales[chosen] };
  }
  if (experiment && experimentPresets[experiment]) return { kind: 'preset', ref: experiment, preset: experimentPresets[experiment]! };
  if (experiment && request.file.experiments?.[experiment] !== undefined) {
    return { kind: 'spec', ref: experiment, where: `experiment ${experiment} (${request.file.path ?? 'config file'})`, spec: request.file.experiments[experiment] };
  }
  if (experiment) {
    const path = resolve(cwd, experiment);
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new UserError(`no experiment '${experiment}': not a preset, not in the config file's experiments, not a file`, `use one of: ${known()} (sempair reproduce --list), or give the path of an experiment file`);
    }
    return { kind: 'spec', ref: path, where: `experiment file ${shown(path, cwd)}`, spec: await loadFile(path, cwd) };
  }
  const explorer = cosmiconfig('sempair-experiment', { searchPlaces: EXPERIMENT_FILES, searchStrategy: 'project', cache: false });
  const found = await explorer.search(cwd).catch((error: unknown) => {
    throw new UserError(`cannot read ${(error as { filepath?: string }).filepath ?? 'the experiment file'}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, 'fix its syntax');
  });
  if (!found) throw new UserError('which experiment?', `name one: sempair reproduce ${known()} (see --list), or write a sempair.experiment.yaml`);
  return { kind: 'spec', ref: found.filepath, where: `experiment file ${shown(found.filepath, cwd)}`, spec: found.config };
}

export interface ExpandRequest {
  source: ExperimentSource;
  registry: Registry;
  file: FileConfig;
  runsDir: string;
  data: Record<string, string>;
  epochs?: number;
  backend?: string;
  methods?: string[];
  /** Keep references to data paths not given (dry runs, results, listings). */
  allowMissingData?: boolean;
}

/** The experiment expanded into its runs, with the invocation that re-creates it in another process. */
export function expandSource(request: ExpandRequest): ExpandedExperiment {
  const { source, registry, file } = request;
  const overrides: RunConfigInput = {};
  if (request.epochs) overrides.epochs = request.epochs;
  if (request.backend) overrides.backend = request.backend;
  const invocation: ExperimentInvocation = {
    experiment: source.ref,
    ...(source.kind === 'study' ? { scale: source.scale } : {}),
    data: request.data,
    runsDir: resolve(request.runsDir),
    ...(request.epochs ? { epochs: request.epochs } : {}),
    ...(request.methods?.length ? { methods: request.methods } : {}),
    ...(request.backend ? { backend: request.backend } : {}),
    ...(file.path ? { config: file.path } : {}),
  };
  if (source.kind === 'preset') {
    return expandPreset(source.preset, { registry, invocation, overrides, evaluatorDefaults: file.evaluators, methods: request.methods });
  }
  const where = source.kind === 'study' ? `preset ${source.ref} (${source.scale} scale)` : source.where;
  try {
    return expandExperiment(source.spec, {
      registry,
      where,
      invocation,
      data: [request.data, file.data],
      overrides,
      evaluatorDefaults: file.evaluators,
      methods: request.methods,
      allowMissingData: request.allowMissingData,
    });
  } catch (error) {
    // A study preset at paper scale without its data: say that the cpu form needs none.
    if (error instanceof UserError && source.kind === 'study' && source.scale === 'paper' && /needs the path of/.test(error.message)) {
      throw new UserError(error.message, `${error.fix ?? ''}; or run the reduced form on the embedded data: sempair reproduce ${source.ref} --scale cpu`);
    }
    throw error;
  }
}

/** --data stl10=/path,cifar10=/path (repeatable) as a map. */
export function parseDataFlag(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (values ?? []).flatMap((v) => v.split(',')).map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) throw new UserError(`--data: cannot read '${part}'`, 'write --data key=path, e.g. --data stl10=/data/stl10_binary,cifar10=/data/cifar-10-batches-bin');
    out[part.slice(0, eq)] = resolve(part.slice(eq + 1));
  }
  return out;
}

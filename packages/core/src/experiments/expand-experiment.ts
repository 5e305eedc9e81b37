import { resolve } from 'node:path';
import { resolveAugmentation } from '../augment/index.js';
import { isUserError, UserError } from '../errors.js';
import type { OptionValues } from '../options.js';
import type { Registry } from '../registry.js';
import { configId, idSlug } from '../runs/run-dir.js';
import { DEFAULT_RUN, mergeConfigLayers, resolveRunConfig, type RunConfig, type RunConfigInput } from '../train/run-config.js';
import { substituteDataRefs } from './data-refs.js';
import type { ExpandedAxis, ExpandedExperiment, ExperimentInvocation, PlannedRun } from './expanded-experiment.js';
import { AXES, GRID_KEYS, type AxisName, type ExperimentSpec, type TableSpec } from './experiment-spec.js';
import { planBaselines, type BaselineMember } from './plan-baselines.js';
import { planEvaluation } from './plan-evaluation.js';
import { ablationLabel, validateExperimentSpec } from './validate-experiment.js';

/** For data keys the workbench can generate itself: how, appended to the missing-data error's fix. */
const MISSING_DATA_HINTS: ReadonlyMap<string, string> = new Map([
  ['voc', 'a small synthetic VOCdevkit: sempair data make-voc --out data/voc-shapes --colours random'],
]);

export interface ExpandOptions {
  registry: Registry;
  /** What the experiment is called in messages: its file or preset id. */
  where: string;
  invocation: ExperimentInvocation;
  /** Data paths by key, highest priority first (flags, config file); the experiment's own `data` last. */
  data?: Array<Record<string, string> | undefined>;
  /** A layer over every run (--epochs, --backend). */
  overrides?: RunConfigInput;
  /** Evaluator options by evaluator id (the config file's `evaluators`), under the experiment's own. */
  evaluatorDefaults?: Record<string, OptionValues>;
  /** Replaces grid.methods (`all`: every installed method). */
  methods?: string[];
  /** Keep "$data:<key>" references whose path is not given (dry runs, listings) instead of refusing. */
  allowMissingData?: boolean;
}

/** Axis order in a run's layers, highest priority first. */
const LAYER_ORDER: AxisName[] = ['ablation', 'perClass', 'epochs', 'seed', 'dataset', 'pairs', 'method'];

interface AxisValue {
  label: string;
  paper?: string;
  layer: RunConfigInput;
}

/** A grid value as a label and a config layer (see ExperimentGrid for the shorthands). */
function axisValue(axis: AxisName, value: unknown): AxisValue {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { label, paper, disable, ...layer } = value as Record<string, unknown>;
    const withDisable = Array.isArray(disable) ? mergeConfigLayers({ augmentation: { disable } }, layer) : layer;
    return { label: String(label), ...(typeof paper === 'string' ? { paper } : {}), layer: withDisable as RunConfigInput };
  }
  switch (axis) {
    case 'method':
      return { label: String(value), layer: { method: String(value) } };
    case 'pairs':
      return { label: String(value), layer: { pairs: String(value) } };
    case 'dataset':
      return { label: String(value), layer: { dataset: String(value) } };
    case 'epochs':
      return { label: String(value), layer: { epochs: Number(value) } };
    case 'perClass':
      return { label: String(value), layer: { pairOptions: { perClass: Number(value) } } };
    case 'seed':
      return { label: String(value), layer: { seed: Number(value) } };
    case 'ablation': {
      const steps = (value as string[]).map(String);
      return { label: ablationLabel(steps), layer: { augmentation: { disable: steps } } };
    }
  }
}

const ID_PREFIX: Partial<Record<AxisName, string>> = { epochs: 'e', perClass: 'pc', seed: 's' };

/** The run id's readable part: every declared axis, in AXES order (`simclr-sp-e200`). */
function idPrefix(axes: Partial<Record<AxisName, string>>): string {
  return AXES.filter((a) => axes[a] !== undefined)
    .map((a) => `${ID_PREFIX[a] ?? ''}${idSlug(axes[a]!)}`)
    .join('-');
}

/** Every combination of the axes' values, the first axis varying slowest. */
function product(axes: Array<{ name: AxisName; values: AxisValue[] }>): Array<Partial<Record<AxisName, AxisValue>>> {
  let out: Array<Partial<Record<AxisName, AxisValue>>> = [{}];
  for (const axis of axes) out = out.flatMap((combo) => axis.values.map((v) => ({ ...combo, [axis.name]: v })));
  return out;
}

/** The same UserError, its message prefixed with where it happened. */
function within(where: string, error: unknown): never {
  if (isUserError(error)) throw new UserError(`${where}: ${error.message}`, error.fix);
  throw error;
}

/** The identity of a resolved config: what the run id hashes (the backend changes no result). */
export function runIdentity(config: RunConfig): string {
  const { backend: _backend, ...rest } = config;
  return configId(rest).slice(0, 8);
}

/**
 * Expands an experiment into its runs: validates the file's shape, crosses the grid's axes,
 * resolves every run's config and every evaluation's options through the registry, and gives
 * each run its stable id. Nothing touches the disk; every mistake ends in one UserError naming
 * the experiment and the key, before any run starts.
 */
export function expandExperiment(value: unknown, options: ExpandOptions): ExpandedExperiment {
  const { registry, where } = options;
  const spec: ExperimentSpec = validateExperimentSpec(value, where);
  const grid = { ...(spec.grid ?? {}) } as Record<string, unknown[]>;
  if (options.methods?.length) {
    const installed = registry.methods.list().map((m) => m.id);
    const chosen = options.methods.includes('all') ? installed : [...new Set(options.methods)];
    for (const id of chosen) {
      try {
        registry.methods.get(id);
      } catch (error) {
        within(`${where}, --methods`, error);
      }
    }
    if (chosen.length === 0) throw new UserError(`${where}: --methods names no method`, `name some: ${installed.join(', ')} (or all)`);
    grid.methods = chosen;
  }
  if (options.overrides?.epochs && grid.epochs) {
    throw new UserError(`${where} varies the epochs itself (grid.epochs), so --epochs would make those runs one`, 'drop --epochs for this experiment');
  }
  const axes = AXES.filter((a) => grid[GRID_KEYS[a]] !== undefined).map((name) => ({ name, values: grid[GRID_KEYS[name]]!.map((v) => axisValue(name, v)) }));
  const base = spec.base === undefined ? [] : Array.isArray(spec.base) ? spec.base : [spec.base];
  const data = Object.assign({}, spec.data, ...[...(options.data ?? [])].reverse().filter(Boolean)) as Record<string, string>;
  const scale = options.invocation.scale ?? spec.scale;
  const dirName = `${spec.id}${scale ? `-${scale}` : ''}${options.overrides?.epochs ? `-e${options.overrides.epochs}` : ''}`;
  const dir = resolve(options.invocation.runsDir, dirName);

  const missing = new Set<string>();
  const evaluations = (spec.evaluations ?? []).map((e) => {
    const { dataKeys, ...plan } = planEvaluation(typeof e === 'string' ? { evaluator: e } : e, registry, where, options.evaluatorDefaults, data);
    dataKeys.forEach((k) => missing.add(k));
    return plan;
  });

  const runs: PlannedRun[] = [];
  const members: BaselineMember[] = [];
  const byIdentity = new Map<string, string>();
  for (const combo of product(axes)) {
    const labels = Object.fromEntries(AXES.filter((a) => combo[a]).map((a) => [a, combo[a]!.label])) as Partial<Record<AxisName, string>>;
    const label = AXES.filter((a) => labels[a] !== undefined).map((a) => labels[a]).join(' ') || spec.id;
    const axisLayers = LAYER_ORDER.map((a) => combo[a]?.layer).filter((l): l is RunConfigInput => l !== undefined);
    const method = [options.overrides, ...axisLayers, ...base].find((l) => l?.method !== undefined)?.method ?? DEFAULT_RUN.method!;
    const layers = [options.overrides ?? {}, ...axisLayers, spec.methodSettings?.[method] ?? {}, ...base];
    const runWhere = `${where}, run ${label}`;
    let symbolic: RunConfig;
    let pipelines: BaselineMember['pipelines'];
    try {
      symbolic = resolveRunConfig(layers, registry);
      pipelines = resolveAugmentation(registry.augmentations.get(symbolic.augmentation.preset), symbolic.augmentation);
    } catch (error) {
      within(runWhere, error);
    }
    const { value: config, refs, missing: absent } = substituteDataRefs(symbolic, data);
    absent.forEach((k) => missing.add(k));
    const identity = runIdentity(symbolic);
    const id = `${idPrefix(labels)}-${identity}`.replace(/^-/, '');
    const twin = byIdentity.get(identity);
    if (twin) throw new UserError(`${where}: runs ${twin} and ${label} have the same config`, 'give the grid values that differ in what they set');
    byIdentity.set(identity, label);
    const run: PlannedRun = { id, label, axes: labels, config, dataRefs: refs, evaluations, runDir: resolve(dir, id) };
    runs.push(run);
    members.push({ run, symbolic, pipelines });
  }
  runs.push(...planBaselines(spec.baselines, members, dir));
  if (missing.size && !options.allowMissingData) {
    const keys = [...missing].sort();
    const hints = keys.flatMap((k) => MISSING_DATA_HINTS.get(k) ?? []).map((hint) => `; ${hint}`);
    throw new UserError(
      `${where} needs the path of ${keys.map((k) => `'${k}'`).join(', ')}`,
      `pass --data ${keys.map((k) => `${k}=<path>`).join(',')} (or data: in the experiment or config file)${hints.join('')}`,
    );
  }
  const tables = (spec.tables?.length ? spec.tables : [defaultTable(spec, axes, evaluations.map((e) => e.name))]).map((table, i) => {
    const fitted = options.methods?.length && !table.rows.includes('method') && grid.methods ? withMethodRows(table, base) : table;
    const columnAxis = 'axis' in fitted.columns ? fitted.columns.axis : undefined;
    for (const axis of axes) {
      const covered = axis.name === 'seed' || fitted.rows.includes(axis.name) || columnAxis === axis.name || fitted.where?.[axis.name] !== undefined;
      if (!covered && axis.values.length > 1) {
        throw new UserError(
          `${where}: table ${fitted.id} (tables[${i}]) leaves axis ${axis.name} (${axis.values.length} values) out of its rows, columns and where`,
          `add ${axis.name} to its rows, or pin it with where: { ${axis.name}: ${axis.values[0]!.label} }`,
        );
      }
    }
    return fitted;
  });
  const expandedAxes: ExpandedAxis[] = axes.map((a) => ({ name: a.name, values: a.values.map((v) => ({ label: v.label, ...(v.paper ? { paper: v.paper } : {}) })) }));
  return {
    id: spec.id,
    description: spec.description ?? spec.id,
    scale: scale ?? 'custom',
    dir,
    axes: expandedAxes,
    runs,
    tables,
    missingData: [...missing].sort(),
    invocation: options.invocation,
  };
}

/** Without tables: a row per combination of the axes (seeds averaged), top-1 of every evaluation, SP − AP if both are there. */
function defaultTable(spec: ExperimentSpec, axes: Array<{ name: AxisName; values: AxisValue[] }>, evaluations: string[]): TableSpec {
  const rows = axes.map((a) => a.name).filter((a) => a !== 'seed');
  const pairs = axes.find((a) => a.name === 'pairs')?.values.map((v) => v.label) ?? [];
  return {
    id: spec.id,
    title: spec.description ?? spec.id,
    rows,
    columns: { metrics: evaluations.map((evaluation) => ({ evaluation, metric: 'top1', label: `${evaluation} top-1` })) },
    ...(pairs.includes('SP') && pairs.includes('AP') ? { difference: { axis: 'pairs' as AxisName, a: 'SP', b: 'AP' } } : {}),
  };
}

/**
 * A table whose rows had no method, with --methods: a row group per method. The paper's numbers
 * belong to the experiment's own method (its base), so they move to that method's rows.
 */
function withMethodRows(table: TableSpec, base: RunConfigInput[]): TableSpec {
  const own = base.find((l) => l.method !== undefined)?.method ?? DEFAULT_RUN.method!;
  const paper = table.paper ? Object.fromEntries(Object.entries(table.paper).map(([key, row]) => [`${own} ${key}`, row])) : undefined;
  return { ...table, rows: ['method', ...table.rows], ...(paper ? { paper } : {}) };
}

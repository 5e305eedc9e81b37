import { UserError } from '../errors.js';
import { NAME_PATTERN } from '../runs/run-dir.js';
import { RUN_CONFIG_KEYS } from '../train/run-config.js';
import { AXES, BASELINE_KINDS, GRID_KEYS, type AxisName, type ExperimentSpec, type MetricRef } from './experiment-spec.js';

const SPEC_KEYS = ['id', 'description', 'scale', 'base', 'grid', 'methodSettings', 'evaluations', 'baselines', 'tables', 'data'];
const EVALUATION_KEYS = ['name', 'evaluator', 'options', 'plugin'];
const TABLE_KEYS = ['id', 'title', 'rows', 'columns', 'where', 'difference', 'paper', 'paperNotes'];
/** Extra keys an axis value may carry beside its config layer. */
const AXIS_VALUE_KEYS = ['label', 'paper', 'disable'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shown(v: unknown): string {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/**
 * Checks an experiment's shape before anything is resolved, so every mistake is one line that
 * names the key (`experiment foo.yaml: grid.epochs[1] must be …`). What needs the registry
 * (ids of methods and datasets, option values) is checked when the runs are resolved.
 */
export function validateExperimentSpec(value: unknown, where: string): ExperimentSpec {
  const fail = (key: string, what: string, fix: string): never => {
    throw new UserError(`${where}: ${key} ${what}`, fix);
  };
  if (!isObject(value)) fail('the file', `must hold an object, got ${Array.isArray(value) ? 'a list' : typeof value}`, 'write it as id, grid, evaluations, … (see docs/architecture.md)');
  const spec = value as Record<string, unknown>;
  for (const key of Object.keys(spec)) if (!SPEC_KEYS.includes(key)) fail(`key '${key}'`, 'is unknown', `use one of: ${SPEC_KEYS.join(', ')}`);
  if (typeof spec.id !== 'string' || !NAME_PATTERN.test(spec.id)) fail('id', `must be a name of letters, digits, ".", "_" or "-", got ${shown(spec.id)}`, 'write e.g. id: sp-vs-ap');
  for (const key of ['description', 'scale'] as const) {
    if (spec[key] !== undefined && typeof spec[key] !== 'string') fail(key, `must be text, got ${shown(spec[key])}`, `write ${key}: …`);
  }
  if (typeof spec.scale === 'string' && !NAME_PATTERN.test(spec.scale)) fail('scale', `must be a name of letters, digits, ".", "_" or "-"`, 'write e.g. scale: cpu');

  const base = spec.base === undefined ? [] : Array.isArray(spec.base) ? spec.base : [spec.base];
  base.forEach((layer, i) => checkLayer(layer, Array.isArray(spec.base) ? `base[${i}]` : 'base', fail));

  const declared = new Map<AxisName, Set<string>>();
  if (spec.grid !== undefined) {
    if (!isObject(spec.grid)) fail('grid', 'must map axes to lists of values', `use the keys ${Object.values(GRID_KEYS).join(', ')}`);
    const grid = spec.grid as Record<string, unknown>;
    const keys = Object.values(GRID_KEYS) as string[];
    for (const key of Object.keys(grid)) if (!keys.includes(key)) fail(`grid.${key}`, 'is not an axis', `use one of: ${keys.join(', ')}`);
    for (const axis of AXES) {
      const key = GRID_KEYS[axis];
      const values = grid[key];
      if (values === undefined) continue;
      if (!Array.isArray(values) || values.length === 0) fail(`grid.${key}`, 'must be a non-empty list', `write e.g. ${key}: [${axisExample(axis)}]`);
      const labels = new Set<string>();
      (values as unknown[]).forEach((v, i) => {
        const label = axisValueLabel(axis, v, `grid.${key}[${i}]`, fail);
        if (labels.has(label)) fail(`grid.${key}[${i}]`, `repeats the label '${label}'`, 'give every value of an axis its own label');
        labels.add(label);
      });
      declared.set(axis, labels);
    }
  }

  if (spec.methodSettings !== undefined) {
    if (!isObject(spec.methodSettings)) fail('methodSettings', 'must map method ids to config layers', 'write e.g. methodSettings: { byol: { methodOptions: { projHiddenDim: 512 } } }');
    for (const [method, layer] of Object.entries(spec.methodSettings as Record<string, unknown>)) checkLayer(layer, `methodSettings.${method}`, fail);
  }

  const names = new Set<string>();
  if (spec.evaluations !== undefined) {
    if (!Array.isArray(spec.evaluations)) fail('evaluations', 'must be a list', 'write e.g. evaluations: [linear, { name: knn-shifted, evaluator: knn, options: { k: 20 } }]');
    (spec.evaluations as unknown[]).forEach((e, i) => {
      const key = `evaluations[${i}]`;
      let name: unknown;
      if (typeof e === 'string') name = e;
      else if (isObject(e)) {
        for (const k of Object.keys(e)) if (!EVALUATION_KEYS.includes(k)) fail(`${key}.${k}`, 'is unknown', `use one of: ${EVALUATION_KEYS.join(', ')}`);
        if (typeof e.evaluator !== 'string' || !e.evaluator) fail(`${key}.evaluator`, 'must name an evaluator', 'write e.g. evaluator: linear');
        if (e.options !== undefined && !isObject(e.options)) fail(`${key}.options`, 'must be an object of options', 'write e.g. options: { dataset: synthetic-shifted }');
        if (e.plugin !== undefined && typeof e.plugin !== 'string') fail(`${key}.plugin`, 'must name the package that provides the evaluator', 'write e.g. plugin: "@sempair/eval-detection"');
        name = e.name ?? e.evaluator;
      } else fail(key, `must be an evaluator id or {name, evaluator, options}, got ${shown(e)}`, 'write e.g. - linear');
      if (typeof name !== 'string' || !NAME_PATTERN.test(name)) fail(`${key}.name`, `must be a name of letters, digits, ".", "_" or "-", got ${shown(name)}`, 'write e.g. name: linear-stl10');
      if (names.has(name as string)) fail(key, `repeats the evaluation name '${String(name)}'`, 'give each evaluation its own name (e.g. linear-cifar10, linear-stl10)');
      names.add(name as string);
    });
  }

  if (spec.baselines !== undefined) checkBaselines(spec.baselines, names.size, fail);

  if (spec.tables !== undefined) {
    if (!Array.isArray(spec.tables)) fail('tables', 'must be a list', 'write e.g. tables: [{ id: main, title: …, rows: [pairs], columns: { metrics: [{ evaluation: linear }] } }]');
    const ids = new Set<string>();
    (spec.tables as unknown[]).forEach((t, i) => checkTable(t, `tables[${i}]`, declared, names, ids, fail));
  }

  if (spec.data !== undefined) {
    if (!isObject(spec.data) || Object.values(spec.data).some((v) => typeof v !== 'string')) {
      fail('data', 'must map data keys to paths', 'write e.g. data: { stl10: /data/stl10_binary }');
    }
  }
  return spec as unknown as ExperimentSpec;
}

type Fail = (key: string, what: string, fix: string) => never;

/** `baselines: [random-init]`: known kinds, each once, and evaluations for them to run. */
export function checkBaselines(value: unknown, evaluations: number, fail: Fail): void {
  const kinds = BASELINE_KINDS.join(', ');
  if (!Array.isArray(value)) fail('baselines', `must be a list of baselines (${kinds}), got ${shown(value)}`, 'write e.g. baselines: [random-init], or leave it out');
  const seen = new Set<string>();
  (value as unknown[]).forEach((v, i) => {
    if (typeof v !== 'string' || !(BASELINE_KINDS as readonly string[]).includes(v)) fail(`baselines[${i}]`, `is not a baseline (${shown(v)})`, `use one of: ${kinds}`);
    if (seen.has(v as string)) fail(`baselines[${i}]`, `repeats '${String(v)}'`, 'name each baseline once');
    seen.add(v as string);
  });
  if (seen.size && evaluations === 0) fail('baselines', 'needs evaluations to run on the untrained backbones, and the experiment has none', 'add evaluations, or leave baselines out');
}

function checkLayer(layer: unknown, key: string, fail: Fail, extra: readonly string[] = []): void {
  if (!isObject(layer)) fail(key, `must be a config object, got ${shown(layer)}`, 'write e.g. { epochs: 10, batchSize: 128 }');
  for (const k of Object.keys(layer as object)) {
    if (!RUN_CONFIG_KEYS.has(k) && !extra.includes(k)) fail(`${key}.${k}`, 'is not a config key', `use one of: ${[...extra, ...RUN_CONFIG_KEYS].join(', ')}`);
  }
}

function axisExample(axis: AxisName): string {
  return { method: 'simclr, byol', pairs: '{ label: SP, pairs: semantic-labels }, { label: AP, pairs: augmented }', dataset: 'synthetic', epochs: '200, 400', perClass: '50, 100', ablation: '[], [grayscale]', seed: '0, 1' }[axis];
}

/** The label a grid value is shown under; checks the value's shape. */
export function axisValueLabel(axis: AxisName, value: unknown, key: string, fail: Fail): string {
  const numeric = axis === 'epochs' || axis === 'perClass' || axis === 'seed';
  if (isObject(value)) {
    if (typeof value.label !== 'string' || value.label.trim() === '') fail(`${key}.label`, 'must be a non-empty text', `write e.g. { label: SP, … }`);
    if (value.paper !== undefined && typeof value.paper !== 'string') fail(`${key}.paper`, "must be the label of the paper's value it stands for", 'write e.g. paper: "200"');
    if (value.disable !== undefined && (axis !== 'ablation' || !Array.isArray(value.disable) || value.disable.some((s) => typeof s !== 'string'))) {
      fail(`${key}.disable`, 'is a list of augmentation steps, on ablations only', 'write e.g. { label: no grayscale, disable: [grayscale] }');
    }
    checkLayer(value, key, fail, AXIS_VALUE_KEYS);
    return value.label as string;
  }
  if (axis === 'ablation') {
    if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) fail(key, `must be a list of augmentation steps or {label, disable}, got ${shown(value)}`, 'write e.g. [grayscale, blur]');
    return ablationLabel(value as string[]);
  }
  if (numeric) {
    const min = axis === 'epochs' ? 1 : 0;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) fail(key, `must be ${min ? 'a positive' : 'a whole'} number or {label, …}, got ${shown(value)}`, `write e.g. ${axisExample(axis)}`);
    return String(value);
  }
  if (typeof value !== 'string' || value === '') fail(key, `must be an id or {label, …}, got ${shown(value)}`, `write e.g. ${axisExample(axis)}`);
  return value as string;
}

/** "all" for no step switched off, else "no grayscale+blur". */
export function ablationLabel(disable: readonly string[]): string {
  return disable.length ? `no ${disable.join('+')}` : 'all';
}

function checkMetric(m: unknown, key: string, names: Set<string>, fail: Fail): void {
  if (!isObject(m) && typeof m !== 'string') fail(key, 'must be {evaluation, metric?, label?}', 'write e.g. { evaluation: linear-stl10, metric: top1 }');
  const ref = (typeof m === 'string' ? { evaluation: m } : m) as Partial<MetricRef>;
  if (typeof ref.evaluation !== 'string' || !names.has(ref.evaluation)) {
    fail(`${key}.evaluation`, `names no evaluation of this experiment (${shown(ref.evaluation)})`, `use one of: ${[...names].join(', ') || '(none declared)'}`);
  }
  for (const k of ['metric', 'label', 'paper'] as const) if (ref[k] !== undefined && typeof ref[k] !== 'string') fail(`${key}.${k}`, 'must be text', `write e.g. ${k}: top1`);
}

function checkTable(t: unknown, key: string, declared: Map<AxisName, Set<string>>, names: Set<string>, ids: Set<string>, fail: Fail): void {
  if (!isObject(t)) fail(key, 'must be a table {id, title, rows, columns}', 'see docs/architecture.md');
  const table = t as Record<string, unknown>;
  for (const k of Object.keys(table)) if (!TABLE_KEYS.includes(k)) fail(`${key}.${k}`, 'is unknown', `use one of: ${TABLE_KEYS.join(', ')}`);
  if (typeof table.id !== 'string' || !NAME_PATTERN.test(table.id) || ids.has(table.id)) fail(`${key}.id`, 'must be a name of its own (letters, digits, ".", "_", "-")', 'write e.g. id: table1');
  ids.add(table.id as string);
  if (typeof table.title !== 'string') fail(`${key}.title`, 'must be text', 'write e.g. title: SimCLR, linear top-1 on STL-10');
  const axisKnown = (axis: unknown, k: string): AxisName => {
    if (!declared.has(axis as AxisName)) fail(k, `names no axis of the grid (${shown(axis)})`, `use one of: ${[...declared.keys()].join(', ') || '(the grid declares none)'}`);
    return axis as AxisName;
  };
  if (!Array.isArray(table.rows)) fail(`${key}.rows`, 'must be a list of axes', 'write e.g. rows: [pairs]');
  (table.rows as unknown[]).forEach((a, i) => axisKnown(a, `${key}.rows[${i}]`));
  if (!isObject(table.columns)) fail(`${key}.columns`, 'must be {axis, evaluation, metric?} or {metrics: […]}', 'write e.g. columns: { axis: epochs, evaluation: linear-stl10 }');
  const columns = table.columns as Record<string, unknown>;
  if ('metrics' in columns) {
    if (!Array.isArray(columns.metrics) || columns.metrics.length === 0) fail(`${key}.columns.metrics`, 'must be a non-empty list', 'write e.g. metrics: [{ evaluation: linear-cifar10 }]');
    (columns.metrics as unknown[]).forEach((m, i) => checkMetric(m, `${key}.columns.metrics[${i}]`, names, fail));
  } else {
    const axis = axisKnown(columns.axis, `${key}.columns.axis`);
    if ((table.rows as unknown[]).includes(axis)) fail(`${key}.columns.axis`, `is also a row axis (${axis})`, 'an axis is either rows or columns');
    checkMetric(columns, `${key}.columns`, names, fail);
  }
  if (table.where !== undefined) {
    if (!isObject(table.where)) fail(`${key}.where`, 'must map axes to labels', 'write e.g. where: { ablation: all }');
    for (const [axis, label] of Object.entries(table.where)) {
      const labels = declared.get(axisKnown(axis, `${key}.where.${axis}`))!;
      if (typeof label !== 'string' || !labels.has(label)) fail(`${key}.where.${axis}`, `is not a label of that axis (${shown(label)})`, `use one of: ${[...labels].join(', ')}`);
    }
  }
  if (table.difference !== undefined) {
    const d = table.difference as Record<string, unknown>;
    if (!isObject(d)) fail(`${key}.difference`, 'must be {axis, a, b}', 'write e.g. difference: { axis: pairs, a: SP, b: AP }');
    const axis = axisKnown(d.axis, `${key}.difference.axis`);
    if (!(table.rows as unknown[]).includes(axis)) fail(`${key}.difference.axis`, `must be one of the row axes (${shown(axis)})`, 'compare along a row axis, e.g. pairs');
    const labels = declared.get(axis)!;
    for (const side of ['a', 'b'] as const) {
      if (typeof d[side] !== 'string' || !labels.has(d[side] as string)) fail(`${key}.difference.${side}`, `is not a label of axis ${axis} (${shown(d[side])})`, `use one of: ${[...labels].join(', ')}`);
    }
  }
  if (table.paper !== undefined) {
    const ok = isObject(table.paper) && Object.values(table.paper).every((row) => isObject(row) && Object.values(row).every((v) => typeof v === 'number'));
    if (!ok) fail(`${key}.paper`, 'must map row labels to {column label: number}', 'write e.g. paper: { SP: { "200": 85.59 } }');
  }
  if (table.paperNotes !== undefined && (!Array.isArray(table.paperNotes) || table.paperNotes.some((n) => typeof n !== 'string'))) {
    fail(`${key}.paperNotes`, 'must be a list of texts', 'write e.g. paperNotes: ["crop only: AP falls to 24.25"]');
  }
}

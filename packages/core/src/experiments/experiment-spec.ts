import type { OptionValues } from '../options.js';
import type { RunConfigInput } from '../train/run-config.js';

/**
 * An experiment as data: what an experiment file (YAML, JSON, JS or TS) or a built-in preset
 * declares. A grid of axes, each a list of values; every combination is one pre-training run,
 * evaluated by every evaluation. A run's config is the layers, highest priority first:
 *
 *   axis values (ablation > perClass > epochs > seed > dataset > pairs > method)
 *   > methodSettings[method] > base layers (first wins) > method and plugin defaults
 *
 * ```yaml
 * # sempair.experiment.yaml
 * id: sp-vs-ap
 * description: SimCLR and BYOL on semantic vs augmented pairs
 * base: { dataset: synthetic, backboneOptions: { width: 8 }, batchSize: 128 }
 * grid:
 *   methods: [simclr, byol]
 *   pairs: [{ label: SP, pairs: semantic-labels }, { label: AP, pairs: augmented }]
 *   epochs: [4, 8]
 *   ablations: [[], [grayscale], { label: crop only, disable: [rotate, jitter, grayscale, blur, solarize, flip] }]
 *   seeds: [0, 1]
 * evaluations:
 *   - linear                                   # evaluator id, its defaults
 *   - { name: knn-shifted, evaluator: knn, options: { dataset: synthetic-shifted, k: 20 } }
 * baselines: [random-init]                   # the same evaluations on untrained backbones: a "random init" row
 * tables:
 *   - { id: main, title: SP vs AP, rows: [method, pairs], columns: { axis: epochs, evaluation: linear }, difference: { axis: pairs, a: SP, b: AP } }
 * data: { stl10: /data/stl10_binary }         # values for "$data:stl10" references
 * ```
 */
export interface ExperimentSpec {
  /** Name of letters, digits, ".", "_", "-": the experiment's directory under the runs directory. */
  id: string;
  description?: string;
  /** What the numbers are: "paper" for the paper's settings, "cpu" for a reduced-scale form. */
  scale?: string;
  /** Config layers under the grid, highest priority first (one object or a list). */
  base?: RunConfigInput | RunConfigInput[];
  grid?: ExperimentGrid;
  /** Per-method layers (laptop-sized heads, a method's own lr), over base, under the axes. */
  methodSettings?: Record<string, RunConfigInput>;
  /** Evaluations run on every trained backbone (none: pre-training only). */
  evaluations?: Array<string | EvaluationSpec>;
  /**
   * Reference points evaluated beside the runs. `random-init`: every evaluation once on a randomly
   * initialised backbone (no pre-training) of each distinct backbone configuration of the grid
   * (backbone, options, view size, normalisation, seed), shown as a "random init" row of every
   * table, so the tables say whether pre-training helps at all.
   */
  baselines?: BaselineKind[];
  /** How `sempair results` lays the numbers out (the paper's tables); none: one row per run. */
  tables?: TableSpec[];
  /** Values for "$data:<key>" references in configs and evaluation options (flags override). */
  data?: Record<string, string>;
}

/**
 * The axes of the grid. Every value is either a shorthand (a method id, a pair source id, a
 * number of epochs, …) or an object `{label, …config layer}`: the label names it in run ids
 * and tables, the rest is merged into the run's config (so a value of one axis may set several
 * keys, e.g. Table 2's "Tiny-ImageNet" sets both dataset and pairs). An axis left out is not
 * part of run ids or tables.
 */
export interface ExperimentGrid {
  /** Method ids (`simclr`), or {label, method, …}. */
  methods?: Array<string | AxisValueSpec>;
  /** Pair source ids (`semantic-labels`), or {label: "SP", pairs, pairOptions, …}. */
  pairs?: Array<string | AxisValueSpec>;
  /** Pre-training dataset ids, or {label, dataset, datasetOptions, …}. */
  datasets?: Array<string | AxisValueSpec>;
  /** Epoch counts, or {label, epochs, …}. */
  epochs?: Array<number | AxisValueSpec>;
  /** Images (or pairs) per class (pairOptions.perClass; 0 = all), or {label, …}. */
  perClass?: Array<number | AxisValueSpec>;
  /** Augmentation steps switched off (a list of step types; [] = none), or {label, disable, …}. */
  ablations?: Array<string[] | (AxisValueSpec & { disable?: string[] })>;
  /** Seeds, or {label, seed, …}. */
  seeds?: Array<number | AxisValueSpec>;
}

/**
 * One value of an axis: a label and the config layer it stands for. `paper` names the paper's
 * value a reduced-scale value stands in for (cpu epochs 8 for the paper's "200"), so results
 * put the paper's number beside it.
 */
export type AxisValueSpec = { label: string; paper?: string } & RunConfigInput;

/** The baselines an experiment may ask for (`baselines: [random-init]`). */
export const BASELINE_KINDS = ['random-init'] as const;
export type BaselineKind = (typeof BASELINE_KINDS)[number];

/** The axes in the order their labels appear in run ids and table rows. */
export const AXES = ['method', 'pairs', 'dataset', 'epochs', 'perClass', 'ablation', 'seed'] as const;
export type AxisName = (typeof AXES)[number];

/** Grid keys by axis (the file's plural keys). */
export const GRID_KEYS: Record<AxisName, keyof ExperimentGrid> = {
  method: 'methods',
  pairs: 'pairs',
  dataset: 'datasets',
  epochs: 'epochs',
  perClass: 'perClass',
  ablation: 'ablations',
  seed: 'seeds',
};

/**
 * One evaluation of every trained backbone. `name` (default: the evaluator id) names its
 * result file `eval/<name>.json` and its column in tables, so one evaluator can run on several
 * downstream datasets (linear-cifar10, linear-stl10). The evaluator may come from a plugin
 * (`detection`): an experiment naming an evaluator that is not installed is refused up front.
 */
export interface EvaluationSpec {
  name?: string;
  evaluator: string;
  options?: OptionValues;
  /** The package that provides the evaluator, named in the message when it is not installed. */
  plugin?: string;
}

/** A metric of an evaluation: a column of a table. */
export interface MetricRef {
  /** Evaluation name. */
  evaluation: string;
  /** Metric key in the evaluation's result (default top1). */
  metric?: string;
  /** Column header (default "<evaluation> <metric>"). */
  label?: string;
  /** The paper's column this stands for (a reduced-scale stand-in for STL-10), if not `label`. */
  paper?: string;
}

/**
 * A results table in the paper's layout. Rows: one per combination of the `rows` axes' labels
 * (runs differing only in seed are averaged, with the spread shown). Columns: either the values
 * of one axis, each cell the same metric (`{axis: epochs, evaluation: linear-stl10}`, Table 1),
 * or a list of metrics (`{metrics: [...]}`, Table 2). `difference` adds a row a − b per group
 * of the other row axes (SP − AP); `paper` holds the published numbers by row and column label.
 */
export interface TableSpec {
  id: string;
  title: string;
  rows: AxisName[];
  columns: ({ axis: AxisName } & MetricRef) | { metrics: MetricRef[] };
  /** Only runs whose axes have these labels. */
  where?: Partial<Record<AxisName, string>>;
  difference?: { axis: AxisName; a: string; b: string };
  /** The paper's numbers: row key (row labels joined by " ") → column label → value. */
  paper?: Record<string, Record<string, number>>;
  /** What the paper reports for this table that is not a cell (shown under it). */
  paperNotes?: string[];
}

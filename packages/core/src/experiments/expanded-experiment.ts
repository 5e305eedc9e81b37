import type { OptionValues } from '../options.js';
import type { RunConfig } from '../train/run-config.js';
import type { AxisName, BaselineKind, TableSpec } from './experiment-spec.js';

/**
 * An experiment expanded into its runs: what executors (local, Slurm), `sempair results` and
 * `sempair report` consume. Everything is resolved and validated; nothing has run.
 */
export interface ExpandedExperiment {
  /** Experiment id (from the file or preset). */
  id: string;
  description: string;
  /** "paper", "cpu", what the file says, or "custom" when it says nothing; results label reduced-scale numbers with it. */
  scale: string;
  /** Absolute directory holding the runs: `<runsDir>/<id>[-<scale>]`. */
  dir: string;
  /** The grid's axes in order, each value's label (and the paper's, where it stands for one). */
  axes: ExpandedAxis[];
  /** The pre-training runs in grid order, then the baselines (`baseline` set) the experiment asks for. */
  runs: PlannedRun[];
  tables: TableSpec[];
  /** Data keys referred to without a path (only when expanded with allowMissingData). */
  missingData: string[];
  /** How this expansion was asked for: enough to re-create it in another process. */
  invocation: ExperimentInvocation;
}

export interface ExpandedAxis {
  name: AxisName;
  values: Array<{ label: string; paper?: string }>;
}

/**
 * One pre-training run of the grid and the evaluations of its backbone. `id` is stable: a
 * readable prefix from its axis labels and a short hash of its resolved config (without the
 * backend and with dataset paths as their "$data:<key>" references), so the same experiment
 * expands to the same ids on every machine, and a re-run finds its finished runs.
 */
export interface PlannedRun {
  /** e.g. `simclr-sp-e200-3fa9c1d2`; also the run directory's name. */
  id: string;
  /** Axis labels joined, for task lists and tables: "simclr SP 200". */
  label: string;
  /** The label of each axis of the grid this run sits at. */
  axes: Partial<Record<AxisName, string>>;
  config: RunConfig;
  /** Where the config holds dataset paths given as "$data:<key>" (dotted key → data key). */
  dataRefs: Record<string, string>;
  evaluations: PlannedEvaluation[];
  /** Absolute: `<experiment dir>/<id>`. Holds config.json, status.json, eval/<name>.json, … */
  runDir: string;
  /** Set on a baseline: not a pre-training run but the experiment's evaluations of an untrained backbone. */
  baseline?: PlannedBaseline;
}

/**
 * A baseline of an experiment (`baselines: [random-init]`): every evaluation of the experiment
 * on the backbone of a group of its runs as initialised from their seed, nothing trained. One
 * per distinct backbone configuration — backbone id, options, view size, input normalisation,
 * seed — of the grid; its `config` is the first such run's (only those parts of it are used).
 * Its id is `random-init-<backbone>-s<seed>-<8 hex of that configuration>`, so it is stable
 * like a run's; its directory holds `baseline.json` (what it is) and
 * `eval/<evaluation name>-random.json`. Results show it as a "random init" row.
 */
export interface PlannedBaseline {
  kind: BaselineKind;
  /** Ids of the pre-training runs it stands beside. */
  runs: string[];
  /**
   * What tells its backbone configuration apart from the experiment's other baselines' apart from
   * the seed ("vit-tiny, 32 px"), '' when they all share one: tables average the seeds of the
   * same architecture in one row, labelled with it.
   */
  architecture: string;
}

/** An evaluation of a planned run, options validated (defaults filled). */
export interface PlannedEvaluation {
  /** Result file `eval/<name>.json` in the run directory; column name in tables. */
  name: string;
  evaluator: string;
  options: OptionValues;
  /** The options given explicitly (experiment, config file), coerced: what reuse compares. */
  requested: OptionValues;
}

/**
 * What `sempair reproduce` was given, as plain data. `runCommand` (CLI) turns it into the one
 * command line that runs a single planned run and its evaluations in a fresh process:
 *
 *   sempair reproduce <experiment> [--scale s] [--data k=v,…] [--epochs n] [--methods …]
 *                     [--config f] --runs-dir <runsDir> --run <run id>
 *
 * (what a Slurm array task runs; it resumes the run when it finds it started).
 */
export interface ExperimentInvocation {
  /** A preset id (`table1`) or the absolute path of an experiment file. */
  experiment: string;
  scale?: string;
  /** --data key=path pairs as given. */
  data: Record<string, string>;
  /** Absolute runs directory. */
  runsDir: string;
  epochs?: number;
  methods?: string[];
  /** --backend, if given (not part of run ids). */
  backend?: string;
  /** Absolute path of the config file (--config), if one was given. */
  config?: string;
}

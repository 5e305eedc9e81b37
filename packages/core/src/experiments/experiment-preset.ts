import type { OptionValues } from '../options.js';
import type { RunConfigInput } from '../train/run-config.js';

/** One run of an experiment: a label for tables and the config layer that defines it. */
export interface ExperimentRun {
  /** Stable id within the experiment (also the run directory name). */
  id: string;
  /** Row label in results tables, e.g. "SP" or "AP". */
  label: string;
  config: RunConfigInput;
}

export interface ExperimentEvaluation {
  id: string;
  options: OptionValues;
}

/**
 * A named experiment: runs to train and evaluations to apply to each trained backbone.
 * `compare` names two run labels whose difference results tables show (e.g. SP − AP).
 */
export interface ExperimentPreset {
  id: string;
  description: string;
  /** Rough cost on a 2-core CPU, for listings. */
  estimate: string;
  runs: ExperimentRun[];
  evaluations: ExperimentEvaluation[];
  compare?: { a: string; b: string };
}

import type { OptionValues } from '../options.js';
import type { RunConfigInput } from '../train/run-config.js';
import type { AxisName, BaselineKind } from './experiment-spec.js';

/** One run of an experiment: a label for tables and the config layer that defines it. */
export interface ExperimentRun {
  /** Stable id within the experiment (also the run directory name). */
  id: string;
  /** Row label in results tables, e.g. "SP" or "AP". */
  label: string;
  config: RunConfigInput;
  /** Axis labels for results tables (default: the label as the pairs axis). */
  axes?: Partial<Record<AxisName, string>>;
}

export interface ExperimentEvaluation {
  id: string;
  options: OptionValues;
}

/** Two run labels whose difference results tables show (a − b, e.g. SP − AP). */
export interface ExperimentComparison {
  a: string;
  b: string;
}

/**
 * A named experiment: runs to train and evaluations to apply to each trained backbone.
 * `compare` names the pairs of run labels whose differences results tables show.
 */
export interface ExperimentPreset {
  id: string;
  description: string;
  /** Rough cost on a 2-core CPU, for listings. */
  estimate: string;
  runs: ExperimentRun[];
  evaluations: ExperimentEvaluation[];
  compare?: ExperimentComparison | ExperimentComparison[];
  /** Baselines evaluated beside the runs, as an experiment's `baselines` (`random-init`: a "random init" row). */
  baselines?: BaselineKind[];
  /**
   * Laptop-scale settings for a method when the preset is run with other methods
   * (`reproduce --methods`), layered over the run's config: e.g. a shorter DINO head.
   */
  methodSettings?: Record<string, RunConfigInput>;
}

/** The comparisons of a preset as a list (none, one or several). */
export function presetComparisons(preset: ExperimentPreset): ExperimentComparison[] {
  if (!preset.compare) return [];
  return Array.isArray(preset.compare) ? preset.compare : [preset.compare];
}

import type { ExperimentSpec } from '../experiment-spec.js';

/** The scales every study preset has: the paper's settings, and the same design on a CPU. */
export const SCALES = ['paper', 'cpu'] as const;
export type Scale = (typeof SCALES)[number];

/**
 * A built-in experiment reproducing one result of the paper, in two forms of one design: the
 * paper's settings (backbone, batch, resolution, epochs, real datasets given by --data), and a
 * `cpu` form on the embedded data and Fashion-MNIST sized by the laptop recipe.
 */
export interface StudyPreset {
  id: string;
  /** The paper's result it reproduces ("Table 1"). */
  result: string;
  description: string;
  scales: Record<Scale, ExperimentSpec>;
}

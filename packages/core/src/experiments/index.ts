import type { ExperimentPreset } from './experiment-preset.js';
import { quickPreset } from './quick.js';

export * from './experiment-preset.js';
export * from './experiment-spec.js';
export * from './expanded-experiment.js';
export * from './quick.js';

/** Presets of `sempair reproduce`, by id. */
export const experimentPresets: Record<string, ExperimentPreset> = { quick: quickPreset };
export * from './with-methods.js';
export * from './data-refs.js';
export * from './expand-experiment.js';
export * from './validate-experiment.js';
export * from './laptop-recipe.js';
export * from './paper-numbers.js';
export * from './presets/index.js';
export * from './expand-preset.js';
export * from './plan-evaluation.js';
export * from './plan-baselines.js';
export * from './run-records.js';
export * from './result-tables.js';
export * from './estimate-cost.js';

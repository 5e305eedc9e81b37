import type { ExperimentPreset } from './experiment-preset.js';
import { quickPreset } from './quick.js';

export * from './experiment-preset.js';
export * from './experiment-spec.js';
export * from './expanded-experiment.js';
export * from './quick.js';

/** Presets of `sempair reproduce`, by id. */
export const experimentPresets: Record<string, ExperimentPreset> = { quick: quickPreset };
export * from './with-methods.js';

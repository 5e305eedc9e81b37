import { figure4 } from './figure4.js';
import { figure5 } from './figure5.js';
import type { StudyPreset } from './study-preset.js';
import { table1 } from './table1.js';
import { table2 } from './table2.js';
import { table3 } from './table3.js';
import { table4 } from './table4.js';
import { table5 } from './table5.js';

export * from './study-preset.js';
export { DETECTION_EVALUATOR, DETECTION_PLUGIN } from './table3.js';

/** The paper's results as `sempair reproduce` presets, by id. */
export const studyPresets: Record<string, StudyPreset> = Object.fromEntries(
  [table1, table2, table3, table4, table5, figure4, figure5].map((p) => [p.id, p]),
);

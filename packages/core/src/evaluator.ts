import type { Backbone } from './backbones/backbone.js';
import type { Dataset } from './data/dataset.js';
import type { OptionSchema, OptionValues } from './options.js';
import type { ProgressListener } from './progress.js';
import type { Rng } from './rng.js';

export interface EvalContext {
  backbone: Backbone;
  options: OptionValues;
  rng: Rng;
  /** Opens a dataset by registry id and options (the evaluator chooses splits). */
  openDataset(id: string, options?: OptionValues): Promise<Dataset>;
  /** Normalisation the backbone was trained with (mean/std per channel). */
  normalization: { mean: [number, number, number]; std: [number, number, number] };
  progress?: ProgressListener;
}

/** Numbers (top1, top5, AP50, …) plus anything worth keeping in eval/<id>.json. */
export interface EvalResult {
  metrics: Record<string, number>;
  details?: Record<string, unknown>;
}

export interface EvaluatorDefinition {
  id: string;
  description: string;
  options: OptionSchema;
  /**
   * Checks resolved options beyond what the schema can say (a required value, values that must
   * agree), by throwing a UserError. Callers run it before any work, so a mistake never costs
   * a checkpoint load or a training run.
   */
  validate?(options: OptionValues): void;
  evaluate(context: EvalContext): Promise<EvalResult>;
}

import type { EvaluatorDefinition } from '../evaluator.js';
import { fineTuneEvaluator } from './finetune.js';
import { knnEvaluator } from './knn.js';
import { linearProbeEvaluator } from './linear-probe.js';

export * from './top-k.js';
export * from './standardize.js';
export * from './extract-features.js';
export * from './linear-classifier.js';
export * from './knn-classify.js';
export * from './downstream.js';
export { linearProbeEvaluator } from './linear-probe.js';
export { knnEvaluator } from './knn.js';
export { fineTuneEvaluator } from './finetune.js';
export { fineTune, type FineTuneOptions, type FineTuneOptimizer, type FineTuneResult } from './finetune-loop.js';
export { FineTuneHead } from './finetune-head.js';
export { fineTuneTrainView, type FineTuneViewOptions } from './finetune-views.js';
export { openDownstreamSplits, type DownstreamSplits, type LabelledSplit } from './downstream.js';

/** Evaluators that ship with core (registered by corePlugin). */
export const builtinEvaluators: EvaluatorDefinition[] = [linearProbeEvaluator, knnEvaluator, fineTuneEvaluator];

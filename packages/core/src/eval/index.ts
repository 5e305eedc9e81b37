import type { EvaluatorDefinition } from '../evaluator.js';
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

/** Evaluators that ship with core (registered by corePlugin). */
export const builtinEvaluators: EvaluatorDefinition[] = [linearProbeEvaluator, knnEvaluator];

import type { EvaluatorDefinition } from '../evaluator.js';
export const builtinEvaluators: EvaluatorDefinition[] = [];

import { PLUGIN_API_VERSION, type Plugin } from '@sempair/core';
import { detectionEvaluator } from './detection-evaluator.js';

/** Registers the `detection` evaluator (Faster R-CNN C4 on PASCAL VOC). */
export const detectionPlugin: Plugin = {
  apiVersion: PLUGIN_API_VERSION,
  name: '@sempair/eval-detection',
  register(registry) {
    registry.evaluators.register(detectionEvaluator);
  },
};

export const packageName = '@sempair/eval-detection';
export * from './voc/index.js';
export * from './metric/index.js';
export * from './export/detectron2-export.js';
export * from './model/index.js';
export * from './train/index.js';
export { detectionEvaluator } from './detection-evaluator.js';
export { detectionPlugin } from './plugin.js';

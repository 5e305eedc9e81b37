export const packageName = '@sempair/eval-detection';
export * from './voc/index.js';
export * from './metric/index.js';
export * from './export/detectron2-export.js';

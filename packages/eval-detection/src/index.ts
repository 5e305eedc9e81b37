export const packageName = '@sempair/eval-detection';
export * from './voc/voc-types.js';

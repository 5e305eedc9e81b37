export * from './numpy-sum.js';
export * from './python-format.js';
export * from './voc-ap.js';
export * from './voc-eval.js';
export * from './voc-metric.js';
export * from './voc-results.js';
export * from './voc-ground-truth.js';
export * from './evaluate-predictions.js';

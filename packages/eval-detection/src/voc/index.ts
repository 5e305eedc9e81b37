export * from './voc-types.js';
export * from './xml.js';
export * from './voc-annotation.js';
export * from './voc-devkit.js';
export * from './voc-dataset.js';
export * from './synthetic-scene.js';
export * from './synthetic-voc.js';

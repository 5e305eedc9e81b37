export { simclrLoss } from './simclr-loss.js';
export { embeddingStd, pairCosines } from './embedding-stats.js';
export { simclrDefinition } from './simclr.js';
export { simclrPlugin } from './plugin.js';

export { simclrLoss } from './simclr-loss.js';
export { simclrDefinition } from './simclr.js';
export { simclrPlugin } from './plugin.js';

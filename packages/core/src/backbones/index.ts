import type { BackboneDefinition } from './backbone.js';
export * from './backbone.js';
export const builtinBackbones: BackboneDefinition[] = [];

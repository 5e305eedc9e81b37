import type { PairSourceDefinition } from './pair-source.js';
export * from './pair-source.js';
export const builtinPairSources: PairSourceDefinition[] = [];

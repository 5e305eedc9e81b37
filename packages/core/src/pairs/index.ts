import { augmentedPairs } from './augmented.js';
import type { PairSourceDefinition } from './pair-source.js';
import { semanticLabelPairs } from './semantic-labels.js';
import { semanticManifestPairs } from './semantic-manifest.js';
import { minedPairs } from './mined.js';

export * from './pair-source.js';
export * from './augmented.js';
export * from './semantic-labels.js';
export * from './semantic-manifest.js';
export * from './manifest-file.js';
export * from './class-index.js';
export * from './per-class-subset.js';
export * from './nearest-neighbours.js';
export * from './mined.js';

export const builtinPairSources: PairSourceDefinition[] = [augmentedPairs, semanticLabelPairs, semanticManifestPairs, minedPairs];

// The tfjs-core instance @sempair/core uses (not hoisted to the repository root under pnpm).
import { createRequire } from 'node:module';

const requireFromCore = createRequire(new URL('../../packages/core/package.json', import.meta.url));

/** Same module instance as core's `import * as tf from '@tensorflow/tfjs-core'` (one CJS cache). */
export const tf = requireFromCore('@tensorflow/tfjs-core');

export function requireFromCorePackage(id) {
  return requireFromCore(id);
}

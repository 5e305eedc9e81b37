import { builtinAugmentations } from './augment/index.js';
import { builtinBackbones } from './backbones/index.js';
import { builtinDatasets } from './data/index.js';
import { builtinEvaluators } from './eval/index.js';
import { builtinPairSources } from './pairs/index.js';
import { PLUGIN_API_VERSION, type Plugin } from './plugin.js';
import { Registry } from './registry.js';

/** Datasets, pair sources, backbones, augmentation presets and evaluators that ship with core. */
export const corePlugin: Plugin = {
  apiVersion: PLUGIN_API_VERSION,
  name: '@sempair/core',
  register(registry) {
    for (const d of builtinDatasets) registry.datasets.register(d);
    for (const p of builtinPairSources) registry.pairSources.register(p);
    for (const b of builtinBackbones) registry.backbones.register(b);
    for (const a of builtinAugmentations) registry.augmentations.register(a);
    for (const e of builtinEvaluators) registry.evaluators.register(e);
  },
};

/** A registry holding core's built-ins; plugins (methods) are added by the caller. */
export function createRegistry(): Registry {
  const registry = new Registry();
  registry.use(corePlugin);
  return registry;
}

import type { Backbone } from '../backbones/backbone.js';
import { ParameterSet } from '../nn/parameters.js';
import type { Registry } from '../registry.js';
import type { Rng } from '../rng.js';
import type { RunConfig } from './run-config.js';

/** The backbone of a run, with its parameters under scope `backbone` of a fresh set. */
export interface BuiltBackbone {
  params: ParameterSet;
  backbone: Backbone;
}

/** Builds the run's backbone for input images of `channels` channels at the view size. */
export function buildBackbone(config: RunConfig, registry: Registry, rng: Rng, channels = 3): BuiltBackbone {
  const params = new ParameterSet();
  const definition = registry.backbones.get(config.backbone);
  const backbone = definition.build(config.backboneOptions, {
    rng: rng.derive('backbone'),
    params: params.scope('backbone'),
    inputShape: [config.augmentation.size, config.augmentation.size, channels],
  });
  return { params, backbone };
}

import { PLUGIN_API_VERSION, type Plugin } from '@sempair/core';
import { dinoDefinition } from './dino.js';

export const dinoPlugin: Plugin = {
  apiVersion: PLUGIN_API_VERSION,
  name: '@sempair/plugin-dino',
  register(registry) {
    registry.methods.register(dinoDefinition);
  },
};

import { PLUGIN_API_VERSION, type Plugin } from '@sempair/core';
import { byolDefinition } from './byol.js';

export const byolPlugin: Plugin = {
  apiVersion: PLUGIN_API_VERSION,
  name: '@sempair/plugin-byol',
  register(registry) {
    registry.methods.register(byolDefinition);
  },
};

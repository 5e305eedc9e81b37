import { PLUGIN_API_VERSION, type Plugin } from '@sempair/core';
import { vicregDefinition } from './vicreg.js';

/** Registers the `vicreg` method; loaded by the CLI through the `sempair:register` hook. */
export const vicregPlugin: Plugin = {
  apiVersion: PLUGIN_API_VERSION,
  name: '@sempair/plugin-vicreg',
  register(registry) {
    registry.methods.register(vicregDefinition);
  },
};

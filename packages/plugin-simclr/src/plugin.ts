import { PLUGIN_API_VERSION, type Plugin } from '@sempair/core';
import { simclrDefinition } from './simclr.js';

/** Registers the `simclr` method; loaded by the CLI through the `sempair:register` hook. */
export const simclrPlugin: Plugin = {
  apiVersion: PLUGIN_API_VERSION,
  name: '@sempair/plugin-simclr',
  register(registry) {
    registry.methods.register(simclrDefinition);
  },
};

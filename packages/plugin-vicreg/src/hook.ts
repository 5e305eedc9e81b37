import { pluginHook } from '@sempair/core';
import { vicregPlugin } from './plugin.js';

/** The oclif `sempair:register` hook (the lead names it in package.json). */
export default pluginHook(vicregPlugin);

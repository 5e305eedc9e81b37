import { pluginHook } from '@sempair/core';
import { dinoPlugin } from './plugin.js';

// The oclif `sempair:register` hook declared in package.json.
export default pluginHook(dinoPlugin);

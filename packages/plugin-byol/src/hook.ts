import { pluginHook } from '@sempair/core';
import { byolPlugin } from './plugin.js';

// The oclif `sempair:register` hook declared in package.json.
export default pluginHook(byolPlugin);

import { pluginHook } from '@sempair/core';
import { detectionPlugin } from './plugin.js';

/** The oclif `sempair:register` hook named in package.json. */
export default pluginHook(detectionPlugin);

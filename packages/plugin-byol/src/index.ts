// @sempair/plugin-byol: the BYOL method, its loss, heads and EMA helpers.
export const packageName = '@sempair/plugin-byol';
export { byolLoss } from './byol-loss.js';
export { byolDefinition } from './byol.js';
export { byolPlugin } from './plugin.js';
export {
  buildByolHeads,
  byolDefaults,
  byolEmaStep,
  byolHeadDefaults,
  type ByolHeadOptions,
  type ByolHeads,
} from './byol-heads.js';

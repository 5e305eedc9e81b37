// @sempair/plugin-byol: BYOL loss, heads (projector, predictor, EMA target projector) and EMA
// helpers. The `byol` method definition waits on a core contract for building the EMA target
// backbone (see byol-heads.ts and the lead's report).
export const packageName = '@sempair/plugin-byol';
export { byolLoss } from './byol-loss.js';
export {
  buildByolHeads,
  bufferScope,
  byolDefaults,
  byolEmaStep,
  byolHeadDefaults,
  copyVariables,
  type ByolHeadOptions,
  type ByolHeads,
} from './byol-heads.js';

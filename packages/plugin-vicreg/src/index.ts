export const packageName = '@sempair/plugin-vicreg';
export { vicregLoss, VICREG_DEFAULT_WEIGHTS, type VicregWeights, type VicregLossOutput } from './vicreg-loss.js';
export { vicregDefinition } from './vicreg.js';
export { vicregPlugin } from './plugin.js';

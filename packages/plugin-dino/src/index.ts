// @sempair/plugin-dino: the DINO method, its loss with centering, head and multi-crop forward.
export const packageName = '@sempair/plugin-dino';
export { DinoLoss, type DinoLossOptions } from './dino-loss.js';
export { teacherTemperatureSchedule } from './teacher-temperature.js';
export { DinoHead, dinoHeadDefaults, type DinoHeadOptions, type DinoHeadOutput } from './dino-head.js';
export { WeightNormLinear } from './weight-norm-linear.js';
export { multiCropFeatures } from './multi-crop.js';
export { stopGradient } from './stop-gradient.js';
export { dinoDefaults } from './dino-defaults.js';
export { dinoDefinition } from './dino.js';
export { dinoPlugin } from './plugin.js';

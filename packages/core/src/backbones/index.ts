import type { BackboneDefinition } from './backbone.js';
import { resnet18Definition, resnet50Definition } from './resnet-definitions.js';
export * from './backbone.js';
export * from './resnet.js';
export * from './resnet-definitions.js';
export const builtinBackbones: BackboneDefinition[] = [resnet18Definition, resnet50Definition];

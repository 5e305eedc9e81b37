import type { OptionSchema, OptionValues } from '../options.js';
import type { BackboneContext, BackboneDefinition } from './backbone.js';
import { VisionTransformer } from './vit.js';

const vitOptions: OptionSchema = {
  patchSize: {
    type: 'integer',
    default: 8,
    min: 1,
    description: 'patch side p in pixels (8: the paper\'s ViT-S/8); images are cut into ⌊H/p⌋×⌊W/p⌋ patches',
  },
  depth: { type: 'integer', default: 12, min: 1, description: 'transformer blocks (12 in the standard models; fewer for quick runs)' },
};

function define(id: string, description: string, embedDim: number, heads: number): BackboneDefinition {
  return {
    id,
    description,
    options: vitOptions,
    build(options: OptionValues, context: BackboneContext) {
      const [height, width, inChannels] = context.inputShape;
      return new VisionTransformer(
        id,
        context.params,
        {
          embedDim,
          heads,
          depth: (options.depth as number | undefined) ?? 12,
          patchSize: (options.patchSize as number | undefined) ?? 8,
          mlpRatio: 4,
          layerNormEpsilon: 1e-6,
          inChannels,
          imageSize: [height, width],
        },
        context.rng,
      );
    },
  };
}

export const vitTinyDefinition = define('vit-tiny', 'ViT-Tiny (DINO/timm vit_tiny: 192 dims, 3 heads), CLS-token features, 192 dims', 192, 3);
export const vitSmallDefinition = define('vit-small', 'ViT-Small (DINO/timm vit_small: 384 dims, 6 heads), CLS-token features, 384 dims', 384, 6);

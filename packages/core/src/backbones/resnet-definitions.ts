import type { OptionSchema, OptionValues } from '../options.js';
import type { BackboneContext, BackboneDefinition } from './backbone.js';
import { ResNet, type ResNetConfig } from './resnet.js';

const resnetOptions: OptionSchema = {
  width: { type: 'integer', default: 64, min: 1, description: 'base width w; stages have w, 2w, 4w, 8w channels' },
  cifarStem: {
    type: 'boolean',
    default: true,
    description: '3×3 stride-1 stem without max-pool (small images, as solo-learn for CIFAR); false: ImageNet 7×7/2 stem + max-pool',
  },
  zeroInitResidual: { type: 'boolean', default: false, description: 'start the last batch norm of each residual block at zero' },
};

function define(id: string, description: string, block: ResNetConfig['block'], layers: ResNetConfig['layers']): BackboneDefinition {
  return {
    id,
    description,
    options: resnetOptions,
    build(options: OptionValues, context: BackboneContext) {
      return new ResNet(
        id,
        context.params,
        {
          block,
          layers,
          width: (options.width as number | undefined) ?? 64,
          cifarStem: (options.cifarStem as boolean | undefined) ?? true,
          zeroInitResidual: (options.zeroInitResidual as boolean | undefined) ?? false,
          inChannels: context.inputShape[2],
        },
        context.rng,
      );
    },
  };
}

export const resnet18Definition = define('resnet18', 'ResNet-18 (BasicBlock [2, 2, 2, 2]), 512·w/64 features', 'basic', [2, 2, 2, 2]);
export const resnet50Definition = define('resnet50', 'ResNet-50 v1.5 (Bottleneck [3, 4, 6, 3]), 2048·w/64 features', 'bottleneck', [3, 4, 6, 3]);

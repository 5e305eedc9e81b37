import { UserError } from '../errors.js';
import type { Parameter } from '../nn/parameters.js';
import { adamwRule } from './adamw.js';
import { larsRule } from './lars.js';
import { RuleOptimizer, type Optimizer, type UpdateRule } from './optimizer.js';
import { sgdRule } from './sgd.js';
import type { TrainingOptions } from './training-options.js';

/**
 * The optimiser a run's options name, over `params` (buffers are ignored). Written here rather
 * than taken from tf.train so the arithmetic matches PyTorch / solo-learn step for step.
 */
export function createOptimizer(options: TrainingOptions, params: readonly Parameter[]): Optimizer {
  const { momentum, weightDecay } = options;
  let rule: UpdateRule;
  switch (options.optimizer) {
    case 'sgd':
      rule = sgdRule({ momentum, weightDecay });
      break;
    case 'lars':
      rule = larsRule({ momentum, weightDecay, eta: options.larsEta, clipLr: options.larsClipLr, excludeBiasNorm: options.larsExcludeBiasNorm });
      break;
    case 'adamw':
      rule = adamwRule({ betas: options.betas, weightDecay });
      break;
    default:
      throw new UserError(`unknown optimizer '${String(options.optimizer)}'`, 'use one of: sgd, lars, adamw');
  }
  return new RuleOptimizer(rule, params, options.gradClip);
}

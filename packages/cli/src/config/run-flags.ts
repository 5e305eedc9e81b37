import { Flags } from '@oclif/core';
import type { RunConfigInput } from '@sempair/core';
import { backendFlag, numberFlag, optionsFlag, parseOptionFlags } from './flags.js';

const RUN = 'RUN';
const TRAINING = 'TRAINING';
const AUGMENTATION = 'AUGMENTATION';

/** Flags that set a run's config; each maps onto one RunConfig key (see runInputFromFlags). */
export const runFlags = {
  method: Flags.string({ char: 'm', description: 'Self-supervised method (list them with sempair methods) [default: simclr].', helpGroup: RUN }),
  'method-options': optionsFlag('Method options, e.g. temperature=0.5 (see sempair methods <id>).', RUN),
  dataset: Flags.string({ char: 'd', description: 'Pre-training dataset [default: synthetic, the embedded one].', helpGroup: RUN }),
  'dataset-options': optionsFlag('Dataset options, e.g. perClass=200,size=32.', RUN),
  'skip-bad': Flags.boolean({ description: 'Image folders: skip unreadable files and count them instead of stopping (datasetOptions skipBad).', helpGroup: RUN }),
  pairs: Flags.string({ char: 'p', description: 'Pair source: semantic-labels, augmented, semantic-manifest, … [default: semantic-labels].', helpGroup: RUN }),
  'pair-options': optionsFlag('Pair source options, e.g. manifest=pairs.csv.', RUN),
  backbone: Flags.string({ description: 'Backbone [default: resnet18].', helpGroup: RUN }),
  'backbone-options': optionsFlag('Backbone options, e.g. width=32,cifarStem=true.', RUN),
  seed: Flags.integer({ min: 0, description: 'Seed every random choice flows from [default: 0].', helpGroup: RUN }),
  backend: backendFlag,
  epochs: Flags.integer({ char: 'e', min: 1, description: 'Pre-training epochs [default: 10].', helpGroup: TRAINING }),
  'batch-size': Flags.integer({ char: 'b', min: 1, description: 'Pairs per step [default: 128].', helpGroup: TRAINING }),
  optimizer: Flags.option({ options: ['sgd', 'lars', 'adamw'] as const, description: "Optimiser [default: the method's].", helpGroup: TRAINING })(),
  lr: numberFlag({ description: "Base learning rate, before scaling by batch/256 [default: the method's].", helpGroup: TRAINING }),
  'weight-decay': numberFlag({ description: "Weight decay [default: the method's].", helpGroup: TRAINING }),
  'warmup-epochs': numberFlag({ description: 'Linear warm-up epochs before the cosine decay [default: 10].', helpGroup: TRAINING }),
  'grad-clip': numberFlag({ description: "Clip the global gradient norm to this value, 0 = off [default: the method's].", helpGroup: TRAINING }),
  augmentation: Flags.string({ char: 'a', description: "Augmentation preset [default: the method's].", helpGroup: AUGMENTATION }),
  'image-size': Flags.integer({ min: 4, description: 'Side of the augmented views in pixels [default: 32].', helpGroup: AUGMENTATION }),
  'disable-aug': Flags.string({
    description: 'Switch augmentation steps off for ablations: crop, rotate, jitter, grayscale, blur, solarize, flip (comma-separated or repeated).',
    multiple: true,
    multipleNonGreedy: true,
    delimiter: ',',
    helpValue: 'step',
    helpGroup: AUGMENTATION,
  }),
  'local-crops': Flags.integer({ min: 0, description: 'Extra local crops per pair at 3/7 of the image size (DINO multi-crop) [default: 0].', helpGroup: AUGMENTATION }),
};

type RunFlagValues = {
  method?: string;
  'method-options'?: string[];
  dataset?: string;
  'dataset-options'?: string[];
  'skip-bad'?: boolean;
  pairs?: string;
  'pair-options'?: string[];
  backbone?: string;
  'backbone-options'?: string[];
  seed?: number;
  backend?: string;
  epochs?: number;
  'batch-size'?: number;
  optimizer?: string;
  lr?: number;
  'weight-decay'?: number;
  'warmup-epochs'?: number;
  'grad-clip'?: number;
  augmentation?: string;
  'image-size'?: number;
  'disable-aug'?: string[];
  'local-crops'?: number;
};

/** Names of the run flags a user actually gave (for "--resume takes no run flags"). */
export function givenRunFlags(flags: RunFlagValues): string[] {
  return Object.keys(runFlags).filter((name) => flags[name as keyof RunFlagValues] !== undefined);
}

/**
 * The highest-priority config layer: only what was given on the command line, so the config
 * file and the method's defaults fill the rest (resolveRunConfig merges objects key by key).
 */
export function runInputFromFlags(flags: RunFlagValues): RunConfigInput {
  const training = {
    optimizer: flags.optimizer as 'sgd' | 'lars' | 'adamw' | undefined,
    lr: flags.lr,
    weightDecay: flags['weight-decay'],
    warmupEpochs: flags['warmup-epochs'],
    gradClip: flags['grad-clip'],
  };
  const augmentation = {
    preset: flags.augmentation,
    size: flags['image-size'],
    disable: flags['disable-aug']?.map((s) => s.trim()).filter(Boolean),
    localCrops: flags['local-crops'],
  };
  const input = {
    method: flags.method,
    methodOptions: parseOptionFlags(flags['method-options'], 'method-options'),
    dataset: flags.dataset,
    datasetOptions: withSkipBad(parseOptionFlags(flags['dataset-options'], 'dataset-options'), flags['skip-bad']),
    pairs: flags.pairs,
    pairOptions: parseOptionFlags(flags['pair-options'], 'pair-options'),
    backbone: flags.backbone,
    backboneOptions: parseOptionFlags(flags['backbone-options'], 'backbone-options'),
    seed: flags.seed,
    backend: flags.backend,
    epochs: flags.epochs,
    batchSize: flags['batch-size'],
    training: Object.values(training).some((v) => v !== undefined) ? training : undefined,
    augmentation: Object.values(augmentation).some((v) => v !== undefined) ? augmentation : undefined,
  };
  return dropUndefined(input) as RunConfigInput;
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? dropUndefined(v as Record<string, unknown>) : v;
  }
  return out;
}

/** `--skip-bad` is `skipBad=true` in the dataset options (a reader without that option refuses it). */
function withSkipBad(options: Record<string, unknown> | undefined, skipBad: boolean | undefined): Record<string, unknown> | undefined {
  return skipBad ? { ...options, skipBad: true } : options;
}

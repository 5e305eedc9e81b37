import type { ExperimentPreset } from './experiment-preset.js';

/**
 * `sempair reproduce quick`: the paper's central comparison at laptop scale. SimCLR on
 * semantic pairs (SP) and on augmented pairs (AP) of the embedded data, the same images,
 * steps and seed for both; linear probe on the shifted downstream set, which neither run saw.
 */
const shared = {
  method: 'simclr',
  dataset: 'synthetic',
  datasetOptions: { split: 'train', perClass: 200 },
  backbone: 'resnet18',
  backboneOptions: { width: 8, cifarStem: true },
  augmentation: { size: 32 },
  epochs: 8,
  batchSize: 128,
  seed: 0,
  training: { warmupEpochs: 1 },
};

export const quickPreset: ExperimentPreset = {
  id: 'quick',
  description: 'SimCLR on semantic vs augmented pairs of the embedded data, linear probe on the shifted set',
  estimate: 'under 10 minutes on a 2-core CPU',
  runs: [
    { id: 'simclr-sp', label: 'SP', config: { ...shared, pairs: 'semantic-labels' } },
    { id: 'simclr-ap', label: 'AP', config: { ...shared, pairs: 'augmented' } },
  ],
  evaluations: [{ id: 'linear', options: { dataset: 'synthetic-shifted' } }],
  compare: { a: 'SP', b: 'AP' },
};

import type { AxisValueSpec, EvaluationSpec } from '../experiment-spec.js';
import type { RunConfigInput } from '../../train/run-config.js';

/**
 * The paper's settings (REFERENCE.md, "The study to reproduce"): ResNet-50, batch 256, 64×64
 * views, 200 epochs, each method's reference defaults; pre-training on the paper's ImageNet
 * subset as built by `sempair data build-subset` (semantic-pairs.csv and the matched
 * augmented-pairs.csv under `--data subset=<dir>`, image files under `--data imagenet=<train dir>`).
 * Dataset paths are "$data:<key>" references, filled from --data or the config file's `data:`.
 */
export const PAPER_SIZE = 64;

export const paperBase: RunConfigInput = {
  method: 'simclr',
  // The manifests name image files; the folder gives their shape (resized to 64×64) and classes.
  dataset: 'image-folder',
  datasetOptions: { root: '$data:imagenet', size: PAPER_SIZE },
  backbone: 'resnet50',
  augmentation: { size: PAPER_SIZE },
  epochs: 200,
  batchSize: 256,
  seed: 0,
};

export const paperPairs: { SP: AxisValueSpec; AP: AxisValueSpec } = {
  SP: { label: 'SP', pairs: 'semantic-manifest', pairOptions: { manifest: '$data:subset/semantic-pairs.csv' } },
  AP: { label: 'AP', pairs: 'semantic-manifest', pairOptions: { manifest: '$data:subset/augmented-pairs.csv' } },
};

/** An evaluation on one of the paper's downstream sets, at the pre-training size. */
function downstream(evaluator: string, dataset: 'stl10' | 'cifar10' | 'cifar100', options: Record<string, string | number | boolean> = {}): EvaluationSpec {
  return { name: `${evaluator}-${dataset}`, evaluator, options: { dataset, datasetOptions: `root=$data:${dataset}`, size: PAPER_SIZE, ...options } };
}

export const paperLinear = {
  stl10: downstream('linear', 'stl10'),
  cifar10: downstream('linear', 'cifar10'),
  cifar100: downstream('linear', 'cifar100'),
};

export const paperFinetune = {
  stl10: downstream('finetune', 'stl10'),
  cifar10: downstream('finetune', 'cifar10'),
  cifar100: downstream('finetune', 'cifar100'),
};

/** Column labels of the paper's downstream sets. */
export const DATASET_LABELS = { stl10: 'STL-10', cifar10: 'CIFAR-10', cifar100: 'CIFAR-100' } as const;

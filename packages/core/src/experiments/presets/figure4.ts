import { laptopRecipe } from '../laptop-recipe.js';
import { PAPER } from '../paper-numbers.js';
import type { MetricRef, TableSpec } from '../experiment-spec.js';
import { DATASET_LABELS, paperBase, paperLinear, paperPairs } from './paper-scale.js';
import type { StudyPreset } from './study-preset.js';

const METHODS = ['simclr', 'byol', 'vicreg', 'dino'];

function table(metrics: MetricRef[]): TableSpec {
  return {
    id: 'figure4',
    title: 'Figure 4 — four methods, SP vs AP, linear top-1 on three datasets',
    rows: ['method', 'pairs'],
    columns: { metrics },
    difference: { axis: 'pairs', a: 'SP', b: 'AP' },
    paper: PAPER.figure4,
    paperNotes: [...PAPER.figure4Notes],
  };
}

/** Figure 4: SimCLR, BYOL, VICReg and DINO, each on SP and AP, linear probes on three datasets. */
export const figure4: StudyPreset = {
  id: 'figure4',
  result: 'Figure 4',
  description: 'SimCLR, BYOL, VICReg, DINO × SP/AP, linear on STL-10, CIFAR-10, CIFAR-100',
  scales: {
    paper: {
      id: 'figure4',
      scale: 'paper',
      description: 'four methods ResNet-50 200 epochs (each with its reference defaults), SP vs AP, linear on STL-10, CIFAR-10, CIFAR-100',
      base: paperBase,
      grid: { methods: METHODS, pairs: [paperPairs.SP, paperPairs.AP] },
      evaluations: [paperLinear.stl10, paperLinear.cifar10, paperLinear.cifar100],
      tables: [table((['stl10', 'cifar10', 'cifar100'] as const).map((d) => ({ evaluation: `linear-${d}`, label: DATASET_LABELS[d] })))],
    },
    cpu: {
      id: 'figure4',
      scale: 'cpu',
      description: 'four methods on the laptop recipe (its heads per method), SP vs AP, linear on three downstream sets',
      base: laptopRecipe.base,
      methodSettings: laptopRecipe.methodSettings,
      baselines: laptopRecipe.baselines,
      grid: { methods: METHODS, pairs: [laptopRecipe.pairs.SP, laptopRecipe.pairs.AP] },
      evaluations: [laptopRecipe.downstream.shifted, laptopRecipe.downstream.scenes, laptopRecipe.downstream.fashion],
      tables: [
        table([
          { evaluation: 'linear-shifted', label: 'shifted scenes', paper: 'STL-10' },
          { evaluation: 'linear-scenes', label: 'new scenes', paper: 'CIFAR-10' },
          { evaluation: 'linear-fashion', label: 'Fashion-MNIST', paper: 'CIFAR-100' },
        ]),
      ],
    },
  },
};

import { laptopRecipe } from '../laptop-recipe.js';
import { PAPER } from '../paper-numbers.js';
import type { MetricRef, TableSpec } from '../experiment-spec.js';
import { DATASET_LABELS, paperBase, paperLinear, paperPairs, PAPER_SIZE } from './paper-scale.js';
import type { StudyPreset } from './study-preset.js';

/** Tiny-ImageNet's 100,000 images against the 29,359 of SP: the cpu stand-in keeps the ratio. */
const TINY_RATIO = 100_000 / 29_359;

function table(metrics: MetricRef[], other: string): TableSpec {
  return {
    id: 'table2',
    title: 'Table 2 — SimCLR pre-trained on SP vs on Tiny-ImageNet, linear top-1',
    rows: ['pairs'],
    columns: { metrics },
    difference: { axis: 'pairs', a: 'SP', b: other },
    paper: PAPER.table2,
  };
}

const cpuLarger = `AP ×${TINY_RATIO.toFixed(1)}`;

/** Table 2: SP (29.4K pairs) against a larger augmented set (Tiny-ImageNet, 100K images, 200 classes). */
export const table2: StudyPreset = {
  id: 'table2',
  result: 'Table 2',
  description: 'SimCLR on SP vs on Tiny-ImageNet (3.4× the images), linear on CIFAR-10/100, STL-10',
  scales: {
    paper: {
      id: 'table2',
      scale: 'paper',
      description: 'SimCLR ResNet-50 200 epochs on SP vs on Tiny-ImageNet, linear on CIFAR-10, CIFAR-100, STL-10',
      base: paperBase,
      grid: {
        pairs: [
          paperPairs.SP,
          { label: 'Tiny-ImageNet', dataset: 'tiny-imagenet', datasetOptions: { root: '$data:tiny-imagenet', size: PAPER_SIZE }, pairs: 'augmented' },
        ],
      },
      evaluations: [paperLinear.cifar10, paperLinear.cifar100, paperLinear.stl10],
      tables: [
        table(
          (['cifar10', 'cifar100', 'stl10'] as const).map((d) => ({ evaluation: `linear-${d}`, label: DATASET_LABELS[d] })),
          'Tiny-ImageNet',
        ),
      ],
    },
    cpu: {
      id: 'table2',
      scale: 'cpu',
      description: `SimCLR on SP vs on augmented pairs of ${TINY_RATIO.toFixed(1)}× as many scenes (the Tiny-ImageNet stand-in), linear on three downstream sets`,
      base: laptopRecipe.base,
      methodSettings: laptopRecipe.methodSettings,
      baselines: laptopRecipe.baselines,
      grid: {
        pairs: [
          laptopRecipe.pairs.SP,
          {
            ...laptopRecipe.pairs.AP,
            label: cpuLarger,
            paper: 'Tiny-ImageNet',
            datasetOptions: { perClass: Math.round(laptopRecipe.perClass * TINY_RATIO) },
          },
        ],
      },
      evaluations: [laptopRecipe.downstream.scenes, laptopRecipe.downstream.fashion, laptopRecipe.downstream.shifted],
      tables: [
        table(
          [
            { evaluation: 'linear-scenes', label: 'new scenes', paper: 'CIFAR-10' },
            { evaluation: 'linear-fashion', label: 'Fashion-MNIST', paper: 'CIFAR-100' },
            { evaluation: 'linear-shifted', label: 'shifted scenes', paper: 'STL-10' },
          ],
          cpuLarger,
        ),
      ],
    },
  },
};

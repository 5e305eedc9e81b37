import { laptopRecipe } from '../laptop-recipe.js';
import { PAPER } from '../paper-numbers.js';
import type { EvaluationSpec, MetricRef, TableSpec } from '../experiment-spec.js';
import { DATASET_LABELS, paperBase, paperFinetune, paperPairs } from './paper-scale.js';
import type { StudyPreset } from './study-preset.js';

function table(metrics: MetricRef[]): TableSpec {
  return {
    id: 'table4',
    title: 'Table 4 — DINO ViT-S/8, 2 global views, fine-tuning top-1',
    rows: ['pairs'],
    columns: { metrics },
    difference: { axis: 'pairs', a: 'SP', b: 'AP' },
    paper: PAPER.table4,
  };
}

/** Fine-tuning epochs at cpu scale, on 500-image downstream sets: a ViT step costs several ResNet steps here. */
const CPU_FINETUNE_EPOCHS = 4;

/** A cpu fine-tuning run: the recipe's downstream set made small. */
function cpuFinetune(from: EvaluationSpec, name: string, datasetOptions: string): EvaluationSpec {
  return { name, evaluator: 'finetune', options: { dataset: from.options!.dataset, datasetOptions, epochs: CPU_FINETUNE_EPOCHS } };
}

const scene = Object.entries(laptopRecipe.sceneOptions).map(([k, v]) => `${k}=${String(v)}`);
const small = (extra: string[]): string => [...scene, ...extra].join(',');

/** Table 4: DINO with a ViT (patch 8), only the 2 global views, fine-tuned on three datasets. */
export const table4: StudyPreset = {
  id: 'table4',
  result: 'Table 4',
  description: 'DINO ViT-S/8, 2 global views, SP vs AP, fine-tuning on CIFAR-10/100, STL-10',
  scales: {
    paper: {
      id: 'table4',
      scale: 'paper',
      description: 'DINO ViT-S/8 300 epochs, batch 256, 2 global views, SP vs AP, fine-tuning on CIFAR-10, CIFAR-100, STL-10',
      base: { ...paperBase, method: 'dino', backbone: 'vit-small', backboneOptions: { patchSize: 8 }, epochs: 300, augmentation: { ...paperBase.augmentation, localCrops: 0 } },
      grid: { pairs: [paperPairs.SP, paperPairs.AP] },
      evaluations: [paperFinetune.cifar10, paperFinetune.cifar100, paperFinetune.stl10],
      tables: [table((['cifar10', 'cifar100', 'stl10'] as const).map((d) => ({ evaluation: `finetune-${d}`, label: DATASET_LABELS[d] })))],
    },
    cpu: {
      id: 'table4',
      scale: 'cpu',
      description: `DINO ViT-Tiny/8 (2 blocks) on the laptop recipe, 2 global views, SP vs AP, ${CPU_FINETUNE_EPOCHS}-epoch fine-tuning on three 500-image downstream sets`,
      // Two blocks: on one wasm thread a ViT-Tiny block costs about 0.6 of the recipe's whole ResNet.
      base: { ...laptopRecipe.base, method: 'dino', backbone: 'vit-tiny', backboneOptions: { patchSize: 8, depth: 2 }, augmentation: { ...laptopRecipe.base.augmentation, localCrops: 0 } },
      methodSettings: laptopRecipe.methodSettings,
      grid: { pairs: [laptopRecipe.pairs.SP, laptopRecipe.pairs.AP] },
      evaluations: [
        cpuFinetune(laptopRecipe.downstream.scenes, 'finetune-scenes', small(['seed=1', 'perClass=50'])),
        { name: 'finetune-fashion', evaluator: 'finetune', options: { dataset: 'fashion-mnist', datasetOptions: 'channels=3,limit=500', epochs: CPU_FINETUNE_EPOCHS } },
        cpuFinetune(laptopRecipe.downstream.shifted, 'finetune-shifted', small(['perClass=50'])),
      ],
      tables: [
        table([
          { evaluation: 'finetune-scenes', label: 'new scenes', paper: 'CIFAR-10' },
          { evaluation: 'finetune-fashion', label: 'Fashion-MNIST', paper: 'CIFAR-100' },
          { evaluation: 'finetune-shifted', label: 'shifted scenes', paper: 'STL-10' },
        ]),
      ],
    },
  },
};

import { laptopRecipe } from '../laptop-recipe.js';
import { PAPER } from '../paper-numbers.js';
import type { EvaluationSpec, TableSpec } from '../experiment-spec.js';
import { paperBase, paperPairs } from './paper-scale.js';
import type { StudyPreset } from './study-preset.js';

/** The detection evaluator comes from its own package; without it the preset says so up front. */
export const DETECTION_EVALUATOR = 'detection';
export const DETECTION_PLUGIN = '@sempair/eval-detection';

function detection(preset: string): EvaluationSpec {
  return { name: 'detection-voc', evaluator: DETECTION_EVALUATOR, plugin: DETECTION_PLUGIN, options: { voc: '$data:voc', preset } };
}

const table: TableSpec = {
  id: 'table3',
  title: 'Table 3 — Faster R-CNN R50-C4 fine-tuned on VOC07+12, VOC07 test',
  rows: ['pairs'],
  columns: { metrics: ['AP50', 'AP', 'AP75'].map((metric) => ({ evaluation: 'detection-voc', metric, label: metric })) },
  difference: { axis: 'pairs', a: 'SP', b: 'AP' },
  paper: PAPER.table3,
};

/** Table 3: SimCLR SP vs AP backbones fine-tuned as Faster R-CNN on VOC (the `detection` evaluator). */
export const table3: StudyPreset = {
  id: 'table3',
  result: 'Table 3',
  description: 'SimCLR SP vs AP backbones fine-tuned as Faster R-CNN on VOC (AP50, AP, AP75)',
  scales: {
    paper: {
      id: 'table3',
      scale: 'paper',
      description: 'SimCLR ResNet-50 200 epochs, SP vs AP, Faster R-CNN R50-C4 on VOC07+12 (MoCo recipe, 24k iterations)',
      base: paperBase,
      grid: { pairs: [paperPairs.SP, paperPairs.AP] },
      evaluations: [detection('moco')],
      tables: [table],
    },
    cpu: {
      id: 'table3',
      scale: 'cpu',
      description: "SimCLR on the laptop recipe, SP vs AP, the detection evaluator's CPU preset on a small VOC-layout set (make one with sempair data make-voc --colours random: only shape tells the class)",
      base: laptopRecipe.base,
      methodSettings: laptopRecipe.methodSettings,
      grid: { pairs: [laptopRecipe.pairs.SP, laptopRecipe.pairs.AP] },
      evaluations: [detection('cpu')],
      tables: [table],
    },
  },
};

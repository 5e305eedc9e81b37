import { laptopRecipe } from '../laptop-recipe.js';
import { PAPER } from '../paper-numbers.js';
import type { TableSpec } from '../experiment-spec.js';
import { paperBase, paperLinear, paperPairs } from './paper-scale.js';
import type { StudyPreset } from './study-preset.js';

const PAPER_SIZES = [50, 100, 157];

function table(evaluation: string): TableSpec {
  return {
    id: 'table5',
    title: 'Table 5 — SimCLR 200 epochs, linear top-1 on STL-10, by images per class',
    rows: ['pairs'],
    columns: { axis: 'perClass', evaluation, paper: 'STL-10' },
    difference: { axis: 'pairs', a: 'SP', b: 'AP' },
    paper: PAPER.table5,
  };
}

/** Table 5: 50 / 100 / 157 pairs (SP) or images (AP) per class; cpu: the same fractions of the recipe's. */
export const table5: StudyPreset = {
  id: 'table5',
  result: 'Table 5',
  description: 'SimCLR, SP vs AP, 50/100/157 images per class, linear on STL-10',
  scales: {
    paper: {
      id: 'table5',
      scale: 'paper',
      description: 'SimCLR ResNet-50 200 epochs, SP vs AP on 50/100/157 per class, linear on STL-10',
      base: paperBase,
      grid: { pairs: [paperPairs.SP, paperPairs.AP], perClass: PAPER_SIZES },
      evaluations: [paperLinear.stl10],
      tables: [table('linear-stl10')],
    },
    cpu: {
      id: 'table5',
      scale: 'cpu',
      description: "SimCLR on the laptop recipe, SP vs AP on 50/157, 100/157 and all of its images per class, linear on the shifted scenes",
      base: laptopRecipe.base,
      methodSettings: laptopRecipe.methodSettings,
      baselines: laptopRecipe.baselines,
      grid: {
        pairs: [laptopRecipe.pairs.SP, laptopRecipe.pairs.AP],
        perClass: PAPER_SIZES.map((n) => {
          const perClass = Math.round((laptopRecipe.perClass * n) / 157);
          return { label: String(perClass), paper: String(n), pairOptions: { perClass } };
        }),
      },
      evaluations: [laptopRecipe.downstream.shifted],
      tables: [table('linear-shifted')],
    },
  },
};

import { laptopRecipe } from '../laptop-recipe.js';
import { PAPER } from '../paper-numbers.js';
import type { TableSpec } from '../experiment-spec.js';
import { paperBase, paperLinear, paperPairs } from './paper-scale.js';
import type { StudyPreset } from './study-preset.js';

const PAPER_EPOCHS = ['200', '400', '800'];

function table(evaluation: string): TableSpec {
  return {
    id: 'table1',
    title: 'Table 1 — SimCLR, linear top-1 on STL-10, by pre-training epochs',
    rows: ['pairs'],
    columns: { axis: 'epochs', evaluation, paper: 'STL-10' },
    difference: { axis: 'pairs', a: 'SP', b: 'AP' },
    paper: PAPER.table1,
  };
}

/** Table 1: SimCLR on SP vs AP at 200, 400 and 800 epochs; cpu: the recipe's epochs ×1, ×2, ×4. */
export const table1: StudyPreset = {
  id: 'table1',
  result: 'Table 1',
  description: 'SimCLR, SP vs AP, 200/400/800 epochs, linear probe on STL-10',
  scales: {
    paper: {
      id: 'table1',
      scale: 'paper',
      description: 'SimCLR ResNet-50, SP vs AP, 200/400/800 epochs, linear on STL-10',
      base: paperBase,
      grid: { pairs: [paperPairs.SP, paperPairs.AP], epochs: PAPER_EPOCHS.map(Number) },
      evaluations: [paperLinear.stl10],
      tables: [table('linear-stl10')],
    },
    cpu: {
      id: 'table1',
      scale: 'cpu',
      description: 'SimCLR on the laptop recipe, SP vs AP, its epochs ×1/×2/×4, linear on the shifted scenes',
      base: laptopRecipe.base,
      methodSettings: laptopRecipe.methodSettings,
      baselines: laptopRecipe.baselines,
      grid: {
        pairs: [laptopRecipe.pairs.SP, laptopRecipe.pairs.AP],
        epochs: [1, 2, 4].map((k, i) => ({ label: String(laptopRecipe.epochs * k), paper: PAPER_EPOCHS[i], epochs: laptopRecipe.epochs * k })),
      },
      evaluations: [laptopRecipe.downstream.shifted],
      tables: [table('linear-shifted')],
    },
  },
};

import { laptopRecipe } from '../laptop-recipe.js';
import { PAPER } from '../paper-numbers.js';
import type { ExperimentGrid, TableSpec } from '../experiment-spec.js';
import { paperBase, paperLinear, paperPairs } from './paper-scale.js';
import type { StudyPreset } from './study-preset.js';

/** Every step but the crop (and the normalisation, which is not an augmentation). */
const CROP_ONLY = { label: 'crop only', disable: ['rotate', 'jitter', 'grayscale', 'blur', 'solarize', 'flip'] };

function table(evaluation: string, label: string): TableSpec {
  return {
    id: 'figure5',
    title: 'Figure 5 — SimCLR with transformations removed, linear top-1',
    rows: ['ablation', 'pairs'],
    columns: { metrics: [{ evaluation, label, paper: 'STL-10' }] },
    difference: { axis: 'pairs', a: 'SP', b: 'AP' },
    paper: PAPER.figure5,
    paperNotes: [...PAPER.figure5Notes],
  };
}

const PAPER_ABLATIONS: ExperimentGrid['ablations'] = [[], ['grayscale'], ['jitter'], ['blur'], ['rotate'], ['flip'], CROP_ONLY];
// At 32 px the symmetric preset blurs with p 0, so "no blur" would train exactly as "all" does.
const CPU_ABLATIONS: ExperimentGrid['ablations'] = [[], ['grayscale'], ['jitter'], ['rotate'], CROP_ONLY];

/** Figure 5: SimCLR on SP and AP with transformations switched off, one at a time, or all but the crop. */
export const figure5: StudyPreset = {
  id: 'figure5',
  result: 'Figure 5',
  description: 'SimCLR, SP vs AP, without grayscale / jitter / blur / rotation / flip, crop only; linear on STL-10',
  scales: {
    paper: {
      id: 'figure5',
      scale: 'paper',
      description: 'SimCLR ResNet-50 200 epochs, SP vs AP, transformations removed, linear on STL-10',
      base: paperBase,
      grid: { pairs: [paperPairs.SP, paperPairs.AP], ablations: PAPER_ABLATIONS },
      evaluations: [paperLinear.stl10],
      tables: [table('linear-stl10', 'STL-10')],
    },
    cpu: {
      id: 'figure5',
      scale: 'cpu',
      description: 'SimCLR on the laptop recipe, SP vs AP, transformations removed, linear on the shifted scenes',
      base: laptopRecipe.base,
      methodSettings: laptopRecipe.methodSettings,
      baselines: laptopRecipe.baselines,
      grid: { pairs: [laptopRecipe.pairs.SP, laptopRecipe.pairs.AP], ablations: CPU_ABLATIONS },
      evaluations: [laptopRecipe.downstream.shifted],
      tables: [table('linear-shifted', 'shifted scenes')],
    },
  },
};

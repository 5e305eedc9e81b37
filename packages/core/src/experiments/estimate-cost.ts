import type { OptionValues } from '../options.js';
import type { RunConfig } from '../train/run-config.js';
import type { ExpandedExperiment } from './expanded-experiment.js';
import { PAPER_A100_IMAGES_PER_SECOND } from './paper-numbers.js';

/** Where an experiment's cost is estimated: pre-training throughput and how many runs share it. */
export interface CostModel {
  /** Pre-training images per second of one worker, for a SimCLR-like method on the reference backbone. */
  imagesPerSecond: number;
  /** Runs trained at once. */
  workers: number;
  /** Seconds per evaluation on the reference backbone, by evaluator id (missing: not estimated); finetune per epoch. */
  evaluationSeconds: Record<string, number>;
  /** How many times the reference backbone's cost a run's backbone has. */
  backboneFactor(config: RunConfig): number;
  /** "on a 2-core CPU" */
  where: string;
}

/**
 * A 2-core CPU on the wasm backend with the laptop recipe (ResNet-18 width 8, 32 px): about 55
 * images/s per core, each core one run, as the quick preset measures (8 runs of 88 steps in
 * ~13 minutes); a linear probe on the recipe's downstream sets (5,000 + 2,000 images) ~15 s.
 */
export const CPU_COST: CostModel = {
  imagesPerSecond: 55,
  workers: 2,
  evaluationSeconds: { linear: 15, knn: 10, finetune: 30 },
  // A ViT-Tiny block (192 wide, 16 tokens at 32 px, patch 8) costs about 0.6 of the whole
  // width-8 ResNet-18 (measured with DINO at depth 4: 3.6× SimCLR's time per image).
  backboneFactor: (config) => (config.backbone.startsWith('vit') ? 0.6 * Number(config.backboneOptions.depth ?? 12) : 1),
  where: 'on a 2-core CPU',
};

/** One A100 with the paper's settings (SimCLR ResNet-50, 64 px: 200 epochs of 29,359 pairs in 4.5 h). */
export const A100_COST: CostModel = {
  imagesPerSecond: PAPER_A100_IMAGES_PER_SECOND,
  workers: 1,
  evaluationSeconds: { linear: 600, knn: 300, finetune: 360 },
  // ViT-S/8 at 64 px (65 tokens, ~2.9 GFLOPs) against ResNet-50 at 64 px (~0.33 GFLOPs): ~9×.
  backboneFactor: (config) => (config.backbone.startsWith('vit') ? 9 : 1),
  where: 'on one A100',
};

/**
 * Pre-training time per image relative to SimCLR, as the laptop recipe measures it (figure4 at
 * cpu scale, the four methods side by side): BYOL's predictor and EMA target cost 15% more,
 * DINO's teacher 5%, VICReg's lighter expander 20% less.
 */
const METHOD_FACTOR: Record<string, number> = { byol: 1.15, dino: 1.05, vicreg: 0.8 };

/** Sizes of the datasets the presets use, where the config does not say. */
const DATASET_IMAGES: Record<string, number> = { 'tiny-imagenet': 100_000, 'fashion-mnist': 60_000, cifar10: 50_000, cifar100: 50_000, stl10: 5_000 };
const DATASET_CLASSES: Record<string, number> = { 'tiny-imagenet': 200, 'fashion-mnist': 10, cifar10: 10, cifar100: 100, stl10: 10, synthetic: 10 };
/** The paper's SP set: 187 classes × 157 pairs. */
const PAPER_SET = { classes: 187, perClass: 157 };

/** Pairs a run trains on per epoch, as far as the config tells without opening the data. */
export function pairsPerEpoch(config: RunConfig): number | undefined {
  const d = config.datasetOptions as OptionValues;
  const perClass = Number((config.pairOptions as OptionValues).perClass ?? 0);
  if (config.pairs === 'semantic-manifest') return (perClass || PAPER_SET.perClass) * PAPER_SET.classes;
  const classes = Number(d.classes ?? DATASET_CLASSES[config.dataset] ?? NaN);
  let images: number | undefined;
  if (config.dataset === 'synthetic' || config.dataset === 'synthetic-shifted') images = Number(d.perClass ?? 500) * classes;
  else if (d.limit !== undefined) images = Number(d.limit);
  else images = DATASET_IMAGES[config.dataset];
  if (images === undefined || !Number.isFinite(images)) return undefined;
  return perClass > 0 && Number.isFinite(classes) ? Math.min(images, perClass * classes) : images;
}

export interface CostEstimate {
  /** Pre-training runs (baselines not counted). */
  runs: number;
  /** Baselines: evaluations only. */
  baselines: number;
  /** Pre-training seconds plus evaluations, with `workers` runs at a time. */
  seconds: number;
  /** Evaluators whose cost is not known (a plugin's), left out of `seconds`. */
  unknown: string[];
  text: string;
}

function showDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  const hours = seconds / 3600;
  return hours < 48 ? `${hours.toFixed(1)} h` : `${Math.round(hours / 24)} days`;
}

/** A rough wall-clock estimate of an experiment from its configs (not a measurement). */
export function estimateCost(experiment: ExpandedExperiment, model: CostModel): CostEstimate {
  let total = 0;
  const unknown = new Set<string>();
  for (const run of experiment.runs) {
    const backbone = model.backboneFactor(run.config);
    if (!run.baseline) {
      const pairs = pairsPerEpoch(run.config);
      if (pairs === undefined) unknown.add(`data of ${run.id}`);
      total += ((pairs ?? 0) * run.config.epochs * (METHOD_FACTOR[run.config.method] ?? 1) * backbone) / model.imagesPerSecond;
    }
    for (const e of run.evaluations) {
      const s = model.evaluationSeconds[e.evaluator];
      if (s === undefined) unknown.add(e.evaluator);
      else total += e.evaluator === 'finetune' ? s * Number(e.options.epochs ?? 1) * backbone : s;
    }
  }
  const workers = Math.max(1, Math.min(model.workers, experiment.runs.length));
  const seconds = total / workers;
  const baselines = experiment.runs.filter((r) => r.baseline).length;
  const runs = experiment.runs.length - baselines;
  const extra = unknown.size ? ` + ${[...unknown].join(', ')}` : '';
  const what = `${runs} run${runs === 1 ? '' : 's'}${baselines ? ` + ${baselines} random-init baseline${baselines === 1 ? '' : 's'}` : ''}`;
  return { runs, baselines, seconds, unknown: [...unknown], text: `${what}, ≈ ${showDuration(seconds)} ${model.where}${extra}` };
}

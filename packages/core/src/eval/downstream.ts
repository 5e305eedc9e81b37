import type * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset.js';
import { loadLabels } from '../data/load-images.js';
import { UserError } from '../errors.js';
import type { EvalContext } from '../evaluator.js';
import { parseOptionString, type OptionSchema, type OptionValues } from '../options.js';
import { extractFeatures } from './extract-features.js';

/** Options every frozen-feature evaluator shares: which downstream data, and how to feed it. */
export const downstreamOptions: OptionSchema = {
  dataset: { type: 'string', default: 'synthetic-shifted', description: 'downstream dataset id (never seen in pre-training)' },
  datasetOptions: { type: 'string', default: '', description: 'dataset options as key=value,… (split is set per split)' },
  trainSplit: { type: 'string', default: 'train', description: 'split the classifier is fitted on' },
  testSplit: { type: 'string', default: 'test', description: 'split the accuracy is measured on' },
  size: { type: 'integer', default: 0, min: 0, description: 'resize images to size×size (the pre-training size); 0 keeps them' },
  featureBatchSize: { type: 'integer', default: 256, min: 1, description: 'images per backbone forward pass' },
};

export interface SplitFeatures {
  dataset: Dataset;
  features: tf.Tensor2D;
  labels: Int32Array;
}

export interface DownstreamFeatures {
  datasetId: string;
  classes: number;
  train: SplitFeatures;
  test: SplitFeatures;
}

function datasetOptionsOf(value: unknown, where: string): OptionValues {
  if (value === undefined || value === '') return {};
  if (typeof value === 'string') return parseOptionString(value, where);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { ...(value as OptionValues) };
  throw new UserError(`${where}: datasetOptions must be key=value,… or an object`, 'e.g. datasetOptions=perClass=100');
}

export interface LabelledSplit {
  dataset: Dataset;
  labels: Int32Array;
}

export interface DownstreamSplits {
  datasetId: string;
  classes: number;
  train: LabelledSplit;
  test: LabelledSplit;
}

/**
 * Opens the train and test splits of the downstream dataset named by the shared downstream
 * options and checks them (non-empty, labelled, same classes) without touching the backbone:
 * what an evaluator that feeds images itself (fine-tuning) needs instead of frozen features.
 */
export async function openDownstreamSplits(ctx: EvalContext, evaluator: string): Promise<DownstreamSplits> {
  const where = `evaluator ${evaluator}`;
  const datasetId = String(ctx.options.dataset ?? downstreamOptions.dataset!.default);
  const base = datasetOptionsOf(ctx.options.datasetOptions, where);
  const split = async (name: string): Promise<LabelledSplit> => {
    const dataset = await ctx.openDataset(datasetId, { ...base, split: name });
    if (dataset.size === 0) throw new UserError(`${where}: ${datasetId} split '${name}' is empty`, 'pick a split or dataset with images');
    const labels = await loadLabels(dataset);
    const classes = dataset.classes.length;
    if (labels.some((y) => y < 0 || y >= classes)) {
      throw new UserError(`${where}: ${datasetId} split '${name}' has unlabelled images`, 'evaluate on a labelled split (e.g. train / test)');
    }
    return { dataset, labels };
  };
  const train = await split(String(ctx.options.trainSplit ?? 'train'));
  const test = await split(String(ctx.options.testSplit ?? 'test'));
  const classes = train.dataset.classes.length;
  if (test.dataset.classes.length !== classes) {
    throw new UserError(
      `${where}: ${datasetId} train split has ${classes} classes, test split ${test.dataset.classes.length}`,
      'use splits of the same dataset',
    );
  }
  return { datasetId, classes, train, test };
}

/**
 * Opens the train and test splits of the downstream dataset and extracts frozen features of
 * both. The caller disposes `train.features` and `test.features`.
 */
export async function downstreamFeatures(ctx: EvalContext, evaluator: string): Promise<DownstreamFeatures> {
  const splits = await openDownstreamSplits(ctx, evaluator);
  const extract = async (split: LabelledSplit, name: string): Promise<SplitFeatures> => {
    const { features } = await extractFeatures(ctx.backbone, split.dataset, {
      batchSize: Number(ctx.options.featureBatchSize ?? 256),
      normalization: ctx.normalization,
      size: Number(ctx.options.size ?? 0),
      progress: ctx.progress,
      phase: `features ${name}`,
    });
    return { dataset: split.dataset, features, labels: split.labels };
  };
  const train = await extract(splits.train, String(ctx.options.trainSplit ?? 'train'));
  let test: SplitFeatures;
  try {
    test = await extract(splits.test, String(ctx.options.testSplit ?? 'test'));
  } catch (error) {
    train.features.dispose();
    throw error;
  }
  return { datasetId: splits.datasetId, classes: splits.classes, train, test };
}

import { join } from 'node:path';
import type { ViewPipeline } from '../augment/augmentation.js';
import { resolveAugmentation } from '../augment/index.js';
import { computingBackend, initBackend } from '../backend/index.js';
import type { EvalResult } from '../evaluator.js';
import { resolveOptions, type OptionValues } from '../options.js';
import type { ProgressListener } from '../progress.js';
import type { Registry } from '../registry.js';
import { Rng } from '../rng.js';
import type { RunConfig } from '../train/run-config.js';
import { writeJsonAtomic } from './atomic-write.js';
import { restoreRunBackbone } from './restore-backbone.js';
import { configId, idSlug, readJson, RUN_FILES } from './run-dir.js';

const IMAGENET = { mean: [0.485, 0.456, 0.406] as [number, number, number], std: [0.229, 0.224, 0.225] as [number, number, number] };

/** The normalisation the run's views were given, so evaluation feeds the backbone alike. */
export function runNormalization(pipelines: ViewPipeline[]): { mean: [number, number, number]; std: [number, number, number] } {
  for (const step of pipelines[0]?.steps ?? []) if (step.type === 'normalize') return { mean: step.mean, std: step.std };
  return IMAGENET;
}

export interface EvaluateRunOptions {
  runDir: string;
  evaluator: string;
  options?: OptionValues;
  progress?: ProgressListener;
  /** Evaluate the run's backbone architecture from random initialisation (a baseline). */
  randomInit?: boolean;
  /** Backend preference; defaults to the one in the run's config. */
  backend?: string;
  /** Write the result file (default true): eval/<name>.json, see evalResultName. */
  save?: boolean;
  /** The result's name instead of the evaluator id (eval/<name>.json): one evaluator on several datasets. */
  name?: string;
}

/** The result file of an evaluation named `name` in a run directory's eval/: `<name>.json`, `<name>-random.json` for a random-init baseline. */
export function evalResultFile(name: string, randomInit = false): string {
  return `${name}${randomInit ? '-random' : ''}.json`;
}

/** A downstream dataset as a piece of a file name: its id, and a short hash of its options when it has some. */
function downstreamKey(options: OptionValues): string | undefined {
  if (typeof options.dataset !== 'string' || !options.dataset) return undefined;
  const id = idSlug(options.dataset);
  const given = typeof options.datasetOptions === 'string' ? options.datasetOptions : options.datasetOptions === undefined ? '' : JSON.stringify(options.datasetOptions);
  const parts = given.split(',').map((p) => p.trim()).filter(Boolean).sort();
  return parts.length ? `${id}-${configId(parts.join(',')).slice(0, 6)}` : id;
}

/**
 * The name an evaluation's result goes under (file `eval/<name>.json`, see evalResultFile): the
 * name given (an experiment's evaluation name, `sempair eval --name`), else the evaluator id. A
 * random-init baseline without a name also carries its downstream dataset
 * (`linear-fashion-mnist` → `eval/linear-fashion-mnist-random.json`; with dataset options, a
 * short hash of them), so baselines of one run on two datasets never overwrite each other.
 */
export function evalResultName(evaluator: string, options: OptionValues, { name, randomInit = false }: { name?: string; randomInit?: boolean } = {}): string {
  if (name) return name;
  const downstream = randomInit ? downstreamKey(options) : undefined;
  return downstream ? `${evaluator}-${downstream}` : evaluator;
}

/**
 * Evaluates a run's backbone from its newest checkpoint (frozen unless the evaluator tunes
 * it), or as initialised with `randomInit`, and writes its result file atomically into the run
 * directory (`eval/<name>.json`, `eval/<name>-random.json` for a baseline; see evalResultName).
 */
export async function evaluateRun(registry: Registry, options: EvaluateRunOptions): Promise<EvalResult> {
  const config = await readJson<RunConfig>(join(options.runDir, RUN_FILES.config), 'run config');
  return evaluateConfig(registry, config, options);
}

/** As evaluateRun, for a config in hand (the run directory holds its checkpoints). */
export async function evaluateConfig(registry: Registry, config: RunConfig, options: EvaluateRunOptions): Promise<EvalResult> {
  const evaluator = registry.evaluators.get(options.evaluator);
  // Feed downstream images at the size the backbone was trained on, unless told otherwise.
  const requested = { ...options.options };
  if ('size' in evaluator.options && (requested.size === undefined || Number(requested.size) === 0)) {
    requested.size = config.augmentation.size;
  }
  const evalOptions = resolveOptions(evaluator.options, requested, `evaluator ${evaluator.id}`);
  evaluator.validate?.(evalOptions);
  const requestedBackend = options.backend ?? config.backend;
  const backend = await initBackend(requestedBackend as Parameters<typeof initBackend>[0]);
  const rng = new Rng(config.seed).derive('eval', evaluator.id);
  const preset = registry.augmentations.get(config.augmentation.preset);
  const pipelines = resolveAugmentation(preset, config.augmentation);

  const { params, backbone, checkpoint } = await restoreRunBackbone(registry, config, options.runDir, { randomInit: options.randomInit });
  try {
    const result = await evaluator.evaluate({
      backbone,
      options: evalOptions,
      rng,
      normalization: runNormalization(pipelines),
      progress: options.progress,
      openDataset: (id, datasetOptions) =>
        registry.datasets.get(id).open(resolveOptions(registry.datasets.get(id).options, datasetOptions, `dataset ${id}`), { rng: rng.derive('dataset', id) }),
    });
    const name = evalResultName(evaluator.id, evalOptions, { name: options.name, randomInit: options.randomInit });
    const record = {
      evaluator: evaluator.id,
      ...(name !== evaluator.id ? { name } : {}),
      options: evalOptions,
      checkpoint,
      randomInit: Boolean(options.randomInit),
      // Which engine computed these numbers, and why that one (it may differ from training's).
      backend: computingBackend(backend),
      backendRequested: requestedBackend,
      backendReason: backend.reason,
      metrics: result.metrics,
      details: result.details ?? {},
      finishedAt: new Date().toISOString(),
    };
    if (options.save !== false) await writeJsonAtomic(join(options.runDir, RUN_FILES.eval, evalResultFile(name, options.randomInit)), record);
    return result;
  } finally {
    params.dispose();
  }
}

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { resolveAugmentation } from '../augment/index.js';
import { adapterLine, backendFailure, computingBackend, initBackend, settleBackendFailure } from '../backend/index.js';
import { UserError } from '../errors.js';
import type { Method, StepState } from '../method.js';
import type { Parameter } from '../nn/parameters.js';
import { clipByGlobalNorm, createOptimizer, learningRateAt, scaledLr } from '../optim/index.js';
import type { PairSet } from '../pairs/pair-source.js';
import type { ProgressListener } from '../progress.js';
import type { Registry } from '../registry.js';
import { Rng } from '../rng.js';
import { writeJsonAtomic } from '../runs/atomic-write.js';
import {
  assignCheckpoint,
  checkpointName,
  listCheckpoints,
  loadCheckpoint,
  pruneCheckpoints,
  saveCheckpoint,
} from '../runs/checkpoint.js';
import { MetricsLog } from '../runs/metrics-export.js';
import { machineInfo, readRunStatus, RUN_FILES, writeRunStatus, type RunStatus } from '../runs/run-dir.js';
import { buildBackbone } from './build-model.js';
import { augmentPairBatch, disposeBatch, readPairBatch } from './pair-batches.js';
import type { RunConfig } from './run-config.js';

export interface PretrainOptions {
  runDir: string;
  /** Continue from the run directory's newest checkpoint. */
  resume?: boolean;
  progress?: ProgressListener;
  /** Aborting saves a checkpoint at the current step and returns status 'aborted'. */
  signal?: AbortSignal;
  /** Checkpoints kept on disk (newest first); default 2. */
  keepCheckpoints?: number;
}

export interface PretrainResult {
  runDir: string;
  steps: number;
  epochs: number;
  finalLoss: number;
  /** 'failed-backend': the backend broke mid-run (lost GPU device, out of memory); `message` says how. */
  status: 'completed' | 'stopped-nan' | 'aborted' | 'failed-backend';
  backend: string;
  message?: string;
}

/** Everything pretrain sets up before the first step; validated before the run dir is created. */
export interface PreparedRun {
  config: RunConfig;
  pairSet: PairSet;
  stepsPerEpoch: number;
  batchSize: number;
}

/**
 * Opens the dataset and the pair source and checks them. Call this before creating a run
 * directory, so a bad dataset or manifest never leaves a half-written run behind.
 */
export async function prepareRun(config: RunConfig, registry: Registry): Promise<PreparedRun> {
  const rng = new Rng(config.seed);
  const dataset = await registry.datasets.get(config.dataset).open(config.datasetOptions, { rng: rng.derive('dataset') });
  const pairSet = await registry.pairSources
    .get(config.pairs)
    .create(dataset, config.pairOptions, { rng: rng.derive('pairs'), registry });
  if (pairSet.size === 0) throw new UserError(`pair source ${config.pairs} produced no pairs`, 'check the dataset and pair options');
  const batchSize = Math.min(config.batchSize, pairSet.size);
  const stepsPerEpoch = Math.floor(pairSet.size / batchSize);
  return { config, pairSet, stepsPerEpoch, batchSize };
}

/** Runs (or resumes) self-supervised pre-training of one run, writing everything to `runDir`. */
export async function pretrain(
  config: RunConfig,
  registry: Registry,
  options: PretrainOptions,
  prepared?: PreparedRun,
): Promise<PretrainResult> {
  const backend = await initBackend(config.backend as Parameters<typeof initBackend>[0]);
  const run = prepared ?? (await prepareRun(config, registry));
  const { pairSet, stepsPerEpoch, batchSize } = run;
  const { runDir, progress, signal } = options;
  const totalSteps = stepsPerEpoch * config.epochs;
  const rng = new Rng(config.seed);
  const channels = pairSet.images.shape[2];
  const methodDef = registry.methods.get(config.method);
  const preset = registry.augmentations.get(config.augmentation.preset);
  const pipelines = resolveAugmentation(preset, config.augmentation);

  const previous = await readRunStatus(runDir);
  if (previous && !options.resume) {
    throw new UserError(`run directory ${runDir} already holds a run`, 'pass --resume to continue it, or choose another --name');
  }
  if (options.resume && previous?.state === 'completed') {
    return { runDir, steps: previous.step, epochs: config.epochs, finalLoss: previous.finalLoss ?? NaN, status: 'completed', backend: computingBackend(backend) };
  }

  const { params, backbone } = buildBackbone(config, registry, rng, channels < 3 ? 3 : channels);
  const backboneDef = registry.backbones.get(config.backbone);
  const method: Method = methodDef.create({
    backbone,
    buildBackbone: (into) =>
      backboneDef.build(config.backboneOptions, { rng: rng.derive('backbone', into.prefix), params: into, inputShape: [config.augmentation.size, config.augmentation.size, channels < 3 ? 3 : channels] }),
    params: params.scope('head'),
    options: config.methodOptions,
    rng: rng.derive('method'),
    batchSize,
    stepsPerEpoch,
    totalSteps,
    epochs: config.epochs,
  });
  const trainable: Parameter[] = params.trainable();
  const optimizer = createOptimizer(config.training, trainable);
  const baseLr = config.training.scaleLr ? scaledLr(config.training.lr, batchSize) : config.training.lr;
  const warmupSteps = Math.round(config.training.warmupEpochs * stepsPerEpoch);

  // Everything a checkpoint holds: model parameters and buffers, and the optimiser's state.
  const allVariables = (): Map<string, tf.Variable> => {
    const map = new Map<string, tf.Variable>();
    for (const p of params.list()) map.set(p.name, p.variable);
    for (const [name, v] of optimizer.state()) map.set(name, v);
    return map;
  };
  const checkpointsDir = join(runDir, RUN_FILES.checkpoints);

  let step = 0;
  let status: RunStatus;
  if (options.resume) {
    const names = await listCheckpoints(checkpointsDir);
    if (names.length > 0) {
      const latest = names[names.length - 1]!;
      const loaded = await loadCheckpoint(join(checkpointsDir, latest));
      assignCheckpoint(allVariables(), loaded.tensors, latest);
      tf.dispose(Object.values(loaded.tensors));
      step = loaded.meta.step;
    }
  }
  await mkdir(runDir, { recursive: true });
  await writeJsonAtomic(join(runDir, RUN_FILES.config), config);
  await writeJsonAtomic(join(runDir, 'pairs.json'), pairSet.describe());
  const computing = computingBackend(backend);
  const changed = previous !== null && previous.backend !== computing;
  status = {
    state: 'running',
    epoch: Math.floor(step / stepsPerEpoch),
    step,
    totalSteps,
    checkpoint: previous?.checkpoint ?? null,
    backend: computing,
    backendRequested: config.backend,
    backendReason: backend.reason,
    ...(backend.adapter ? { adapter: adapterLine(backend.adapter) } : {}),
    ...(changed || previous?.backendChanges
      ? { backendChanges: [...(previous?.backendChanges ?? []), ...(changed ? [{ step, from: previous.backend, to: computing }] : [])] }
      : {}),
    machine: machineInfo(),
    startedAt: previous?.startedAt ?? new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  };
  await writeRunStatus(runDir, status);
  // metrics.jsonl and this session's TensorBoard event file.
  const metricsLog = await MetricsLog.open(runDir, step);

  const save = async (): Promise<void> => {
    // Never save what a broken backend computed; and drop a checkpoint it broke while writing.
    const failedBefore = backendFailure();
    if (failedBefore) throw failedBefore;
    const name = checkpointName(step);
    await saveCheckpoint(checkpointsDir, name, allVariables(), {
      format: 'sempair-checkpoint',
      version: 1,
      epoch: Math.floor(step / stepsPerEpoch),
      step,
      method: config.method,
      backbone: config.backbone,
    });
    const failedDuring = backendFailure();
    if (failedDuring) {
      await rm(join(checkpointsDir, name), { recursive: true, force: true });
      throw failedDuring;
    }
    await pruneCheckpoints(checkpointsDir, options.keepCheckpoints ?? 2);
    status = { ...status, checkpoint: name, step, epoch: Math.floor(step / stepsPerEpoch) };
    await writeRunStatus(runDir, status);
  };

  const varList = trainable.map((p) => p.variable);
  const nameOf = new Map(trainable.map((p) => [p.variable.name, p.name]));
  const viewsPerPair = pipelines.length;
  let lastLoss = NaN;
  let smoothedStepSeconds = 0;
  const started = Date.now();
  const firstStep = step;
  let outcome: PretrainResult['status'] = 'completed';
  let message: string | undefined;

  try {
    while (step < totalSteps) {
      const epoch = Math.floor(step / stepsPerEpoch);
      const order = rng.derive('shuffle', epoch).permutation(pairSet.size);
      const epochPairs = pairSet.pairs(epoch);
      for (let inEpoch = step % stepsPerEpoch; inEpoch < stepsPerEpoch; inEpoch++) {
        if (signal?.aborted) {
          outcome = 'aborted';
          break;
        }
        const t0 = performance.now();
        const slice = Array.from(order.subarray(inEpoch * batchSize, (inEpoch + 1) * batchSize), (i) => epochPairs[i]!);
        const raw = await readPairBatch(pairSet, slice);
        const state: StepState = { step, epoch, stepsPerEpoch, totalSteps, epochs: config.epochs };
        const lr = learningRateAt(step, { baseLr, warmupSteps, totalSteps, warmupStartLr: config.training.warmupStartLr });
        const batch = augmentPairBatch(raw, pairSet.images.shape, pipelines, rng.derive('augment', epoch, inEpoch));
        const frozen = method.frozen?.(state);
        const metricTensors: Record<string, tf.Scalar> = {};
        const { value, grads } = tf.variableGrads(() => {
          const out = method.loss(batch, state);
          for (const [k, v] of Object.entries(out.metrics ?? {})) metricTensors[k] = tf.keep(v);
          return out.loss;
        }, varList);
        disposeBatch(batch);
        let named = new Map<string, tf.Tensor>();
        for (const [varName, g] of Object.entries(grads)) {
          const name = nameOf.get(varName)!;
          if (frozen?.has(name)) g.dispose();
          else named.set(name, g);
        }
        let gradNorm: number | undefined;
        if (config.training.gradClip > 0) {
          const clipped = clipByGlobalNorm([...named.values()], config.training.gradClip);
          tf.dispose([...named.values()]);
          named = new Map([...named.keys()].map((name, i) => [name, clipped.grads[i]!]));
          gradNorm = (await clipped.norm.data())[0]!;
          clipped.norm.dispose();
        }
        const lossValue = (await value.data())[0]!;
        value.dispose();
        // A GPU that failed while computing this step (lost device, out of memory) returns
        // zeros or garbage rather than an error; its step must not be applied.
        const failed = backendFailure();
        if (failed) {
          tf.dispose([...named.values(), ...Object.values(metricTensors)]);
          throw failed;
        }
        if (!Number.isFinite(lossValue)) {
          tf.dispose([...named.values(), ...Object.values(metricTensors)]);
          outcome = 'stopped-nan';
          message = `loss became ${lossValue} at step ${step} (epoch ${epoch}); kept the last good checkpoint ${status.checkpoint ?? '(none yet)'}; lower --lr or check the data`;
          break;
        }
        optimizer.step(named, lr);
        tf.dispose([...named.values()]);
        method.afterStep?.(state);
        step++;
        lastLoss = lossValue;

        const seconds = (performance.now() - t0) / 1000;
        smoothedStepSeconds = smoothedStepSeconds === 0 ? seconds : 0.9 * smoothedStepSeconds + 0.1 * seconds;
        const imagesPerSecond = (batchSize * viewsPerPair) / smoothedStepSeconds;
        const metrics: Record<string, number> = {};
        for (const [k, v] of Object.entries(metricTensors)) {
          metrics[k] = (await v.data())[0]!;
          v.dispose();
        }
        if (gradNorm !== undefined) metrics.grad_norm = gradNorm;
        if (step % config.logEvery === 0 || inEpoch === stepsPerEpoch - 1) {
          await metricsLog.append({ step, epoch, lr, loss: lossValue, images_per_second: imagesPerSecond, ...metrics, time: (Date.now() - started) / 1000 });
        }
        progress?.({
          phase: 'pretrain',
          epoch: epoch + 1,
          epochs: config.epochs,
          step,
          steps: totalSteps,
          loss: lossValue,
          imagesPerSecond,
          etaSeconds: (totalSteps - step) * smoothedStepSeconds,
          metrics,
        });
      }
      if (outcome !== 'completed') break;
      const epochsDone = Math.floor(step / stepsPerEpoch);
      if (epochsDone % config.checkpointEvery === 0 || step === totalSteps) await save();
    }
    if (outcome === 'aborted' && step > firstStep && status.checkpoint !== checkpointName(step)) await save();
  } catch (error) {
    const failure = await settleBackendFailure(error, computing);
    if (failure === undefined) {
      await writeRunStatus(runDir, { ...status, state: 'failed', message: (error as Error).message });
      throw error;
    }
    outcome = 'failed-backend';
    message =
      `${failure.message} at step ${step} (epoch ${Math.floor(step / stepsPerEpoch)}); kept the last good checkpoint ${status.checkpoint ?? '(none yet)'}; ` +
      `resume with --resume ${runDir} (add --backend wasm to continue on the CPU)`;
  } finally {
    method.dispose?.();
    optimizer.dispose();
    params.dispose();
  }

  if (outcome === 'aborted') message = `stopped at step ${step} of ${totalSteps}; resume with --resume ${runDir}`;
  const finalStatus: RunStatus = { ...status, state: outcome, step, epoch: Math.floor(step / stepsPerEpoch), finalLoss: lastLoss, message };
  await writeRunStatus(runDir, finalStatus);
  return { runDir, steps: step, epochs: config.epochs, finalLoss: lastLoss, status: outcome, backend: computing, message };
}


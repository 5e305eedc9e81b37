import * as tf from '@tensorflow/tfjs-core';
import { UserError, type ProgressListener, type Rng } from '@sempair/core';
import { LOSS_NAMES, type FasterRcnn, type LossName } from '../model/faster-rcnn.js';
import { FloatingPointError } from '../model/rpn.js';
import { stackTrainingBatch, type PreparedImage } from './image-transforms.js';
import { detectionLr, detectionSgd, type SolverSettings } from './solver.js';

export interface TrainLogLine {
  iteration: number;
  lr: number;
  loss: number;
  losses: Record<LossName, number>;
  rpnPositives: number;
  roiForeground: number;
  seconds: number;
}

export interface TrainResult {
  iterations: number;
  seconds: number;
  imagesPerSecond: number;
  /** Mean of each loss over the last `logEvery` iterations (or fewer). */
  finalLosses: Record<LossName | 'loss', number>;
  /** One line every `logEvery` iterations (means over the iterations since the last line). */
  log: TrainLogLine[];
  /** tf.memory().numTensors after each iteration (flat when nothing leaks). */
  tensorCounts: number[];
}

export interface TrainOptions {
  solver: SolverSettings;
  batchSize: number;
  rng: Rng;
  logEvery: number;
  progress?: ProgressListener;
}

/**
 * detectron2's SimpleTrainer loop: per iteration one batch, the sum of the four losses, one SGD
 * step at the scheduled learning rate. The next batch is decoded while the current one trains.
 * A non-finite loss stops training with a UserError (detectron2 raises FloatingPointError).
 */
export async function trainDetector(model: FasterRcnn, nextBatch: () => Promise<PreparedImage[]>, options: TrainOptions): Promise<TrainResult> {
  const { solver, rng } = options;
  const trainable = model.trainable();
  const varList = trainable.map((p) => p.variable);
  const optimizer = detectionSgd(trainable, solver);
  const log: TrainLogLine[] = [];
  const tensorCounts: number[] = [];
  const window = { n: 0, loss: 0, parts: new Float64Array(LOSS_NAMES.length), positives: 0, foreground: 0 };
  let finalLosses = {} as Record<LossName | 'loss', number>;
  const started = performance.now();
  let pending = nextBatch();
  try {
    for (let iteration = 0; iteration < solver.iterations; iteration++) {
      const batch = await pending;
      if (iteration + 1 < solver.iterations) pending = nextBatch();
      const { tensor, targets } = stackTrainingBatch(batch);
      let parts: tf.Tensor1D | undefined;
      let stats = { rpnPositives: 0, roiForeground: 0 };
      let result: { value: tf.Scalar; grads: tf.NamedTensorMap };
      try {
        result = tf.variableGrads(() => {
          const out = model.losses(tensor, targets, rng.derive('sample', iteration));
          stats = out.stats;
          const list = LOSS_NAMES.map((name) => out.losses[name]);
          parts = tf.keep(tf.stack(list) as tf.Tensor1D);
          return tf.addN(list) as tf.Scalar;
        }, varList);
      } catch (error) {
        if (error instanceof FloatingPointError) throw diverged(iteration, error.message);
        throw error;
      } finally {
        tensor.dispose();
      }
      const values = parts!.dataSync();
      const loss = result.value.dataSync()[0]!;
      tf.dispose([parts!, result.value]);
      if (!Number.isFinite(loss)) {
        tf.dispose(Object.values(result.grads));
        throw diverged(iteration, `the loss became ${loss}`);
      }
      const lr = detectionLr(iteration, solver);
      optimizer.step(result.grads, lr);
      tf.dispose(Object.values(result.grads));
      tensorCounts.push(tf.memory().numTensors);

      window.n++;
      window.loss += loss;
      values.forEach((v, k) => (window.parts[k] += v));
      window.positives += stats.rpnPositives;
      window.foreground += stats.roiForeground;
      const done = iteration + 1;
      const seconds = (performance.now() - started) / 1000;
      const means = Object.fromEntries(LOSS_NAMES.map((name, k) => [name, window.parts[k]! / window.n])) as Record<LossName, number>;
      if (done % options.logEvery === 0 || done === solver.iterations) {
        log.push({ iteration: done, lr, loss: window.loss / window.n, losses: means, rpnPositives: window.positives / window.n, roiForeground: window.foreground / window.n, seconds });
        finalLosses = { ...means, loss: window.loss / window.n };
        window.n = 0;
        window.loss = 0;
        window.parts.fill(0);
        window.positives = 0;
        window.foreground = 0;
      }
      options.progress?.({
        phase: 'train',
        step: done,
        steps: solver.iterations,
        loss,
        imagesPerSecond: (done * options.batchSize) / seconds,
        etaSeconds: ((solver.iterations - done) * seconds) / done,
        metrics: { lr, ...Object.fromEntries(LOSS_NAMES.map((name, k) => [name, values[k]!])) },
      });
    }
  } finally {
    optimizer.dispose();
    // A batch still loading when training stops is awaited so its error (if any) is not unhandled.
    await pending.catch(() => undefined);
  }
  const seconds = (performance.now() - started) / 1000;
  return { iterations: solver.iterations, seconds, imagesPerSecond: (solver.iterations * options.batchSize) / seconds, finalLosses, log, tensorCounts };
}

function diverged(iteration: number, what: string): UserError {
  return new UserError(`evaluator detection: ${what} at iteration ${iteration + 1}, training diverged`, 'lower lr (e.g. lr=0.005) or lengthen warmupIterations');
}

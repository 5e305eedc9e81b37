import { PreciseBatchNorm, type ProgressListener, type Rng } from '@sempair/core';
import type { FasterRcnn } from '../model/faster-rcnn.js';
import { stackTrainingBatch, type PreparedImage } from './image-transforms.js';

export interface PreciseBnResult {
  iterations: number;
  /** Batch norms whose statistics were recomputed (trunk, res5 and the extra norm). */
  layers: number;
  seconds: number;
}

/**
 * detectron2's PreciseBN hook after the last iteration (MoCo's config sets TEST.PRECISE_BN): the
 * training forward pass, losses and all, over `iterations` training batches with the final
 * weights, each batch norm's running statistics then set to the average of its batch
 * statistics (fvcore's update_bn_stats). Nothing is trained; the proposal sampling draws from `rng`.
 */
export async function preciseBn(model: FasterRcnn, nextBatch: () => Promise<PreparedImage[]>, iterations: number, rng: Rng, progress?: ProgressListener): Promise<PreciseBnResult> {
  const precise = new PreciseBatchNorm();
  const started = performance.now();
  let pending = nextBatch();
  try {
    for (let iteration = 0; iteration < iterations; iteration++) {
      const batch = await pending;
      if (iteration + 1 < iterations) pending = nextBatch();
      const { tensor, targets } = stackTrainingBatch(batch);
      try {
        precise.add(() => model.losses(tensor, targets, rng.derive('sample', iteration)).losses);
      } finally {
        tensor.dispose();
      }
      const seconds = (performance.now() - started) / 1000;
      progress?.({ phase: 'precise-bn', step: iteration + 1, steps: iterations, imagesPerSecond: ((iteration + 1) * batch.length) / seconds, etaSeconds: ((iterations - iteration - 1) * seconds) / (iteration + 1) });
    }
  } catch (error) {
    precise.dispose();
    await pending.catch(() => undefined);
    throw error;
  }
  const { layers } = precise.finish();
  return { iterations, layers, seconds: (performance.now() - started) / 1000 };
}

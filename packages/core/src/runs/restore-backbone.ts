import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors.js';
import type { Registry } from '../registry.js';
import { Rng } from '../rng.js';
import { buildBackbone, type BuiltBackbone } from '../train/build-model.js';
import type { RunConfig } from '../train/run-config.js';
import { assignCheckpoint, listCheckpoints, loadCheckpoint } from './checkpoint.js';
import { RUN_FILES } from './run-dir.js';

export interface RestoredBackbone extends BuiltBackbone {
  /** The checkpoint the weights came from; null for a random-init baseline. */
  checkpoint: string | null;
}

/**
 * The run's backbone with the weights of its newest checkpoint (or its initial weights with
 * `randomInit`). The caller disposes `params`.
 */
export async function restoreRunBackbone(registry: Registry, config: RunConfig, runDir: string, { randomInit = false } = {}): Promise<RestoredBackbone> {
  const built = buildBackbone(config, registry, new Rng(config.seed));
  if (randomInit) return { ...built, checkpoint: null };
  try {
    const dir = join(runDir, RUN_FILES.checkpoints);
    const names = await listCheckpoints(dir);
    if (names.length === 0) {
      throw new UserError(`run ${runDir} has no checkpoint yet`, 'train it first (sempair pretrain), or pass --random-init for a baseline');
    }
    const checkpoint = names[names.length - 1]!;
    const loaded = await loadCheckpoint(join(dir, checkpoint));
    const variables = new Map(built.backbone.params.list().map((p) => [p.name, p.variable]));
    assignCheckpoint(variables, loaded.tensors, checkpoint);
    tf.dispose(Object.values(loaded.tensors));
    return { ...built, checkpoint };
  } catch (error) {
    built.params.dispose();
    throw error;
  }
}

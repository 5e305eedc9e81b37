import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors.js';

/**
 * Checkpoints in the TensorFlow.js weights format: a folder holding `model.json` (with a
 * `weightsManifest`, as tf.io writes it) and `weights.bin`. Written to a temporary folder and
 * renamed, so a crash never leaves a half-written checkpoint under its final name.
 */
export interface CheckpointMeta {
  format: 'sempair-checkpoint';
  version: 1;
  epoch: number;
  step: number;
  [key: string]: unknown;
}

/** Checkpoints are named by the number of optimiser steps done, so any step can be resumed. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

export async function saveCheckpoint(
  dir: string,
  name: string,
  tensors: Map<string, tf.Tensor>,
  meta: CheckpointMeta,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const named = [...tensors].map(([n, tensor]) => ({ name: n, tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  const tmp = join(dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
  await mkdir(tmp);
  const modelJson = {
    format: 'sempair-checkpoint',
    generatedBy: '@sempair/core',
    convertedBy: null,
    modelTopology: null,
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
    userDefinedMetadata: meta,
  };
  await writeFile(join(tmp, 'weights.bin'), new Uint8Array(data));
  await writeFile(join(tmp, 'model.json'), `${JSON.stringify(modelJson)}\n`);
  const target = join(dir, name);
  if (existsSync(target)) await rm(target, { recursive: true, force: true });
  await rename(tmp, target);
  return target;
}

export interface LoadedCheckpoint {
  tensors: tf.NamedTensorMap;
  meta: CheckpointMeta;
}

export async function loadCheckpoint(path: string): Promise<LoadedCheckpoint> {
  const modelPath = join(path, 'model.json');
  if (!existsSync(modelPath)) {
    throw new UserError(`no checkpoint at ${path}`, 'pass a run directory that has a checkpoint under checkpoints/');
  }
  const model = JSON.parse(await readFile(modelPath, 'utf8')) as {
    weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
    userDefinedMetadata: CheckpointMeta;
  };
  const buffers: Uint8Array[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const group of model.weightsManifest) {
    for (const p of group.paths) buffers.push(new Uint8Array(await readFile(join(path, p))));
    specs.push(...group.weights);
  }
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    joined.set(b, offset);
    offset += b.byteLength;
  }
  const tensors = tf.io.decodeWeights(joined.buffer, specs);
  return { tensors, meta: model.userDefinedMetadata };
}

/** Checkpoint folder names under `dir`, oldest first (temporary folders ignored). */
export async function listCheckpoints(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir)).filter((n) => /^step-\d+$/.test(n)).sort();
}

/** Deletes all but the newest `keep` checkpoints. */
export async function pruneCheckpoints(dir: string, keep: number): Promise<void> {
  const names = await listCheckpoints(dir);
  for (const n of names.slice(0, Math.max(0, names.length - keep))) await rm(join(dir, n), { recursive: true, force: true });
}

/**
 * Copies loaded values into variables by name. Every variable must be present with its shape;
 * a mismatch means the checkpoint comes from another model and ends in a clear error.
 */
export function assignCheckpoint(
  variables: Map<string, tf.Variable>,
  tensors: tf.NamedTensorMap,
  where: string,
  { allowMissing = false }: { allowMissing?: boolean } = {},
): void {
  for (const [name, variable] of variables) {
    const value = tensors[name];
    if (!value) {
      if (allowMissing) continue;
      throw new UserError(`checkpoint ${where} has no weight '${name}'`, 'resume with the same method, backbone and options the run was started with');
    }
    if (value.shape.join('x') !== variable.shape.join('x')) {
      throw new UserError(
        `checkpoint ${where}: '${name}' has shape [${value.shape}] but the model expects [${variable.shape}]`,
        'use the backbone options the checkpoint was trained with',
      );
    }
    variable.assign(value);
  }
}

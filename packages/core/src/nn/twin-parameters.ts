import type * as tf from '@tensorflow/tfjs-core';
import { emaUpdate } from '../optim/ema.js';
import type { ParameterSet } from './parameters.js';

/** One online variable and its copy in a twin network (EMA target, teacher). */
export interface TwinPair {
  name: string;
  online: tf.Variable;
  twin: tf.Variable;
  /** The online variable is trained (not a buffer such as BN running statistics). */
  trainable: boolean;
}

/**
 * Pairs every variable under `online` with the variable of the same relative name under `twin`
 * (e.g. `backbone.layer1.0.conv1.weight` ↔ `head.momentum_backbone.layer1.0.conv1.weight`).
 * Throws if the twin lacks one: the two networks must have been built alike.
 */
export function twinPairs(online: ParameterSet, twin: ParameterSet): TwinPair[] {
  const relative = (set: ParameterSet, name: string) => (set.prefix ? name.slice(set.prefix.length + 1) : name);
  const twins = new Map(twin.list().map((p) => [relative(twin, p.name), p.variable]));
  return online.list().map((p) => {
    const copy = twins.get(relative(online, p.name));
    if (!copy) throw new Error(`the twin network under '${twin.prefix}' has no copy of ${p.name}`);
    return { name: p.name, online: p.variable, twin: copy, trainable: p.role !== 'buffer' };
  });
}

/** twin ← online for every pair, buffers included: a target network starts as an exact copy. */
export function copyToTwin(pairs: readonly TwinPair[]): void {
  emaUpdate(pairs.map((p) => p.twin), pairs.map((p) => p.online), 0);
}

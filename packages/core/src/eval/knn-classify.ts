import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '../nn/l2-normalize.js';

export interface KnnOptions {
  /** Neighbours that vote (capped at the bank size). */
  k: number;
  /** Votes are weighted exp(cos/temperature). */
  temperature: number;
  classes: number;
  /** Query rows per similarity block: memory is about chunk × bank size floats. */
  chunk?: number;
}

/**
 * Weighted k-nearest-neighbour class scores, the InstDisc / DINO recipe: features L2-normalised,
 * cosine similarity to every bank row, the k most similar vote for their class with weight
 * exp(sim/T), votes summed. Returns [queries, classes]; the caller disposes it.
 */
export function knnScores(
  bank: tf.Tensor2D,
  bankLabels: Int32Array,
  queries: tf.Tensor2D,
  options: KnnOptions,
): tf.Tensor2D {
  const n = bank.shape[0];
  if (bankLabels.length !== n) throw new Error(`knnScores: ${n} bank rows but ${bankLabels.length} labels`);
  if (n === 0) throw new Error('knnScores: the bank is empty');
  if (bank.shape[1] !== queries.shape[1]) {
    throw new Error(`knnScores: bank has ${bank.shape[1]}-d features, queries ${queries.shape[1]}-d`);
  }
  const k = Math.min(Math.max(1, Math.floor(options.k)), n);
  const chunk = Math.max(1, Math.floor(options.chunk ?? 256));
  const m = queries.shape[0];
  if (m === 0) return tf.zeros([0, options.classes]);

  // Transposed once, so each block is a plain matMul.
  const bankT = tf.tidy(() => tf.transpose(l2Normalize(bank)));
  const labelsT = tf.tensor1d(bankLabels, 'int32');
  const blocks: tf.Tensor2D[] = [];
  try {
    for (let start = 0; start < m; start += chunk) {
      blocks.push(
        tf.tidy(() => {
          const q = l2Normalize(tf.slice(queries, [start, 0], [Math.min(chunk, m - start), -1]));
          const { values, indices } = tf.topk(tf.matMul(q, bankT), k);
          const weights = tf.exp(tf.div(values, options.temperature));
          const votes = tf.oneHot(tf.gather(labelsT, indices), options.classes); // [b, k, classes]
          return tf.sum(tf.mul(votes, tf.expandDims(weights, 2)), 1) as tf.Tensor2D;
        }),
      );
    }
    return blocks.length === 1 ? blocks[0]! : tf.concat(blocks, 0);
  } finally {
    if (blocks.length > 1) tf.dispose(blocks);
    tf.dispose([bankT, labelsT]);
  }
}

import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '../nn/l2-normalize.js';

/**
 * The k nearest rows (cosine similarity, self excluded) of every row of `features` [N, D], as an
 * Int32Array of N·k indexes, nearest first. Computed in chunks of rows against all rows, so
 * memory holds chunk×N similarities, not N×N.
 */
export async function nearestNeighbours(features: tf.Tensor2D, k: number, chunk = 512): Promise<Int32Array> {
  const n = features.shape[0];
  if (k < 1 || k > n - 1) throw new RangeError(`k must be within 1..${n - 1} for ${n} rows, got ${k}`);
  const unit = l2Normalize(features);
  // Transposed once: the chunk products are then plain (untransposed) matMuls, fast on wasm.
  const unitT = tf.transpose(unit);
  const out = new Int32Array(n * k);
  try {
    for (let start = 0; start < n; start += chunk) {
      const rows = Math.min(chunk, n - start);
      const indices = tf.tidy(() => {
        const sims = tf.matMul(tf.slice(unit, [start, 0], [rows, -1]), unitT);
        // Push each row's own column below every real similarity (cosines are ≥ −1).
        const self = tf.oneHot(tf.range(start, start + rows, 1, 'int32'), n, 3, 0);
        return tf.topk(tf.sub(sims, self), k).indices;
      });
      out.set((await indices.data()) as Int32Array, start * k);
      indices.dispose();
    }
  } finally {
    tf.dispose([unit, unitT]);
  }
  return out;
}

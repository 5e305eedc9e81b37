import * as tf from '@tensorflow/tfjs-core';

/**
 * How many rows have their label among the `k` highest scores (k is capped at the number of
 * classes). Ties are broken towards the lower class index, as tf.topk does. Asynchronous: a GPU
 * backend (webgpu under Node) cannot be read synchronously.
 */
export async function topKCorrect(scores: tf.Tensor2D, labels: Int32Array | tf.Tensor1D, k: number): Promise<number> {
  const [rows, classes] = scores.shape;
  const labelCount = labels instanceof tf.Tensor ? labels.shape[0] : labels.length;
  if (labelCount !== rows) throw new Error(`topKCorrect: ${rows} score rows but ${labelCount} labels`);
  if (!(k >= 1)) throw new Error(`topKCorrect: k must be >= 1, got ${k}`);
  if (rows === 0) return 0;
  const count = tf.tidy(() => {
    const { indices } = tf.topk(scores, Math.min(Math.floor(k), classes));
    const y = labels instanceof tf.Tensor ? tf.cast(labels, 'int32') : tf.tensor1d(labels, 'int32');
    const hit = tf.any(tf.equal(indices, tf.expandDims(y, 1)), 1);
    return tf.sum(tf.cast(hit, 'int32'));
  });
  try {
    return (await count.data())[0]!;
  } finally {
    count.dispose();
  }
}

/** Top-k accuracy in percent (0 for no rows). */
export async function topKAccuracy(scores: tf.Tensor2D, labels: Int32Array | tf.Tensor1D, k: number): Promise<number> {
  const rows = scores.shape[0];
  return rows === 0 ? 0 : (100 * (await topKCorrect(scores, labels, k))) / rows;
}

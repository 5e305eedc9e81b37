import * as tf from '@tensorflow/tfjs-core';

/**
 * The detection losses as dense, masked sums: each takes per-row masks built in JS instead of
 * gathering the sampled rows, because the gradient of tf.gather needs UnsortedSegmentSum, which
 * the wasm backend lacks, and because the masked sums cost little next to the network.
 */

/**
 * Σ mask · BCE-with-logits(logit, label), numerically stable:
 * max(x, 0) − x·y + log(1 + exp(−|x|)).
 */
export function maskedSigmoidCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const perItem = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.sum(tf.mul(perItem, mask)) as tf.Scalar;
  });
}

/**
 * Σ mask · smooth-L1(prediction − target) with detectron2's β: 0.5·d²/β below β, |d| − 0.5·β
 * above; β = 0 is the plain L1 loss (detectron2's default for both the RPN and the box head).
 */
export function maskedSmoothL1(prediction: tf.Tensor, target: tf.Tensor, mask: tf.Tensor, beta: number): tf.Scalar {
  return tf.tidy(() => {
    const d = tf.abs(tf.sub(prediction, target));
    const perItem = beta < 1e-5 ? d : tf.where(tf.less(d, beta), tf.div(tf.mul(tf.square(d), 0.5), beta), tf.sub(d, 0.5 * beta));
    return tf.sum(tf.mul(perItem, mask)) as tf.Scalar;
  });
}

/** mean over rows of −log softmax(logits)[label], labels given one-hot [rows, classes]. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.div(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits))), logits.shape[0])) as tf.Scalar);
}

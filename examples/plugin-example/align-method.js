// The example-align method: Wang & Isola (2020), "Understanding contrastive representation
// learning through alignment and uniformity on the hypersphere".
//   align     = mean over positive pairs of ||z_i − z_j||²      (positives: same index, i ≠ j)
//   uniformity = log mean over all pairs i ≠ j of exp(−t ||z_i − z_j||²)
//   loss      = align + λ · uniformity
// z are L2-normalised projections of the backbone features. Plain JavaScript, and no imports:
// TensorFlow.js comes from the host through the hook options, so the plugin computes on the
// same engine and backend as the trainer.

/**
 * The loss as a pure function (testable without a trainer).
 * @param {typeof import('@tensorflow/tfjs-core')} tf
 * @param {import('@tensorflow/tfjs-core').Tensor2D} z   [N, D] projections, not yet normalised
 * @param {import('@tensorflow/tfjs-core').Tensor1D} ids [N] positive ids (equal id = positives)
 * @param {{ t?: number, weight?: number }} [options]
 */
export function alignUniformLoss(tf, z, ids, { t = 2, weight = 1 } = {}) {
  return tf.tidy(() => {
    const n = z.shape[0];
    const zn = tf.div(z, tf.maximum(tf.norm(z, 'euclidean', 1, true), 1e-12));
    // ||a − b||² = 2 − 2 a·b for unit vectors
    const sq = tf.relu(tf.sub(2, tf.mul(2, tf.matMul(zn, zn, false, true))));
    const notSelf = tf.sub(1, tf.eye(n));
    const same = tf.cast(tf.equal(tf.expandDims(ids, 1), tf.expandDims(ids, 0)), 'float32');
    const positives = tf.mul(same, notSelf);
    const align = tf.div(tf.sum(tf.mul(sq, positives)), tf.maximum(tf.sum(positives), 1));
    const uniformity = tf.log(tf.div(tf.sum(tf.mul(tf.exp(tf.mul(-t, sq)), notSelf)), n * (n - 1)));
    return { loss: tf.add(align, tf.mul(weight, uniformity)), align, uniformity };
  });
}

/**
 * The method definition the registry takes (see MethodDefinition in @sempair/core).
 * @param {typeof import('@tensorflow/tfjs-core')} tf
 */
export function exampleAlignMethod(tf) {
  return {
    id: 'example-align',
    description: 'Alignment + uniformity on the hypersphere (example third-party plugin)',
    options: {
      projDim: { type: 'integer', default: 64, min: 1, description: 'Output size of the linear projection head' },
      uniformityWeight: { type: 'number', default: 1, min: 0, description: 'Weight λ of the uniformity term' },
      t: { type: 'number', default: 2, min: 0, description: 'Temperature t of the uniformity term' },
    },
    training: { optimizer: 'sgd', lr: 0.1, weightDecay: 5e-4 },
    augmentation: 'symmetric',
    create({ backbone, params, options, rng }) {
      const inDim = backbone.featureDim;
      const weight = params.add(
        'proj.weight',
        tf.randomNormal([inDim, options.projDim], 0, 1 / Math.sqrt(inDim), 'float32', rng.seedInt()),
        'weight',
      );
      const bias = params.add('proj.bias', tf.zeros([options.projDim]), 'bias');
      return {
        loss(batch) {
          const z = tf.concat(batch.views.map((view) => tf.add(tf.matMul(backbone.apply(view, true), weight), bias)), 0);
          const ids = tf.concat(batch.views.map(() => batch.indexes), 0);
          const { loss, align, uniformity } = alignUniformLoss(tf, z, ids, { t: options.t, weight: options.uniformityWeight });
          return { loss, metrics: { align, uniformity } };
        },
      };
    },
  };
}

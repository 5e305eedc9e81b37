// A tiny dataset, backbones and an alignment method registered through the public registry, for
// trainer tests that must not depend on any plugin (see also pretrain.test.ts).
import * as tf from '@tensorflow/tfjs-core';
import { createRegistry } from '../src/builtins.js';
import type { Dataset } from '../src/data/dataset.js';
import type { MethodDefinition } from '../src/method.js';
import { Linear } from '../src/nn/linear.js';
import type { RunConfigInput } from '../src/train/run-config.js';

/** The step the method is computing, for kernels that inject a failure at a given step. */
export const progressOf = { step: -1 };

export function fixtureRegistry({ imageSize = 8, images = 48 }: { imageSize?: number; images?: number } = {}) {
  const registry = createRegistry();
  registry.datasets.register({
    id: 'tiny',
    description: 'test images',
    options: {},
    async open() {
      const pixels = imageSize * imageSize * 3;
      const data = Array.from({ length: images }, (_, i) => Uint8Array.from({ length: pixels }, (_, k) => (i * 37 + k * 11 * ((i % 4) + 1)) % 256));
      const dataset: Dataset = {
        name: 'tiny', size: images, classes: ['a', 'b', 'c', 'd'], shape: [imageSize, imageSize, 3],
        async get(i) { return { image: data[i]!, label: i % 4 }; },
        labels: () => Int32Array.from({ length: images }, (_, i) => i % 4),
      };
      return dataset;
    },
  });
  registry.backbones.register({
    id: 'flat',
    description: 'flatten + linear',
    options: {},
    build(_options, { params, rng, inputShape }) {
      const dim = inputShape[0] * inputShape[1] * inputShape[2];
      const fc = new Linear(params, 'fc', dim, 16, rng);
      return { id: 'flat', featureDim: 16, params, apply: (x) => tf.relu(fc.apply(tf.reshape(x, [x.shape[0], dim]) as tf.Tensor2D)) as tf.Tensor2D };
    },
  });
  const align: MethodDefinition = {
    id: 'align',
    description: 'test alignment',
    options: {},
    training: { optimizer: 'sgd', lr: 0.05, warmupEpochs: 0, weightDecay: 0 },
    augmentation: 'symmetric',
    create({ backbone, params, rng }) {
      const head = new Linear(params, 'proj', backbone.featureDim, 8, rng);
      return {
        loss(batch, state) {
          progressOf.step = state.step;
          const unit = (z: tf.Tensor2D) => tf.div(z, tf.add(tf.norm(z, 2, 1, true), 1e-8));
          const [z1, z2] = batch.views.map((v) => unit(head.apply(backbone.apply(v, true))));
          const loss = tf.mean(tf.sum(tf.square(tf.sub(z1!, z2!)), 1)) as tf.Scalar;
          return { loss, metrics: { z_norm: tf.mean(tf.norm(z1!, 2, 1)) as tf.Scalar } };
        },
      };
    },
  };
  registry.methods.register(align);
  return registry;
}

/** 48 images of 8×8, batch 16: 3 steps an epoch, a checkpoint every epoch. */
export const fixtureRun: RunConfigInput = {
  method: 'align', dataset: 'tiny', backbone: 'flat', pairs: 'semantic-labels', backend: 'cpu',
  augmentation: { size: 8 }, epochs: 3, batchSize: 16, logEvery: 1, seed: 7,
};

// One supervised training step of a backbone: forward, backward, SGD update.
// The throughput every pre-training method is bounded by, at the sizes the study uses.
import { BenchError, intFlag } from './args.mjs';
import { tf } from './tf.mjs';

export const description =
  'ResNet-18 (3×3 stem, widths w/2w/4w/8w) forward + backward + SGD on random data; --backbone vit-tiny|vit-small [--patch P --depth N] for a ViT';

const BACKBONES = ['resnet18', 'vit-tiny', 'vit-small'];

/** The backbone under test and the options it is built with (ViTs ignore --width). */
function backboneChoice(core, flags) {
  const id = typeof flags.backbone === 'string' ? flags.backbone : 'resnet18';
  if (!BACKBONES.includes(id)) throw new BenchError(`--backbone must be one of ${BACKBONES.join(', ')}, got '${id}'`);
  if (id === 'resnet18') return { definition: core.resnet18Definition, options: { width: intFlag(flags, 'width', 16), cifarStem: true } };
  const definition = id === 'vit-tiny' ? core.vitTinyDefinition : core.vitSmallDefinition;
  return { definition, options: { patchSize: intFlag(flags, 'patch', 4), depth: intFlag(flags, 'depth', 12) } };
}

export async function trainStep(core, flags) {
  const batch = intFlag(flags, 'batch', 64);
  const size = intFlag(flags, 'size', 32);
  const steps = intFlag(flags, 'steps', 10);
  const warmup = intFlag(flags, 'warmup', 3);
  const classes = 10;
  const rng = new core.Rng(0);
  const { definition, options } = backboneChoice(core, flags);

  const params = new core.ParameterSet();
  const net = definition.build(core.resolveOptions(definition.options, options, 'bench'), {
    rng: rng.derive('backbone'),
    params: params.scope('backbone'),
    inputShape: [size, size, 3],
  });
  const head = new core.Linear(params, 'fc', net.featureDim, classes, rng.derive('head'));
  const trainable = params.trainable();
  const optimizer = core.createOptimizer(
    { ...core.DEFAULT_TRAINING, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4 },
    trainable,
  );

  const images = tf.randomNormal([batch, size, size, 3]);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, () => rng.int(classes)), 'int32'), classes);
  const variables = trainable.map((p) => p.variable);

  const step = () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(labels, head.apply(net.apply(images, true))),
        variables,
      );
      optimizer.step(grads, 0.1);
      return value;
    });
    const v = loss.dataSync()[0]; // waits for the step to finish on asynchronous backends
    loss.dispose();
    return v;
  };

  for (let i = 0; i < warmup; i++) step();
  const tensorsBefore = tf.memory().numTensors;
  let loss = NaN;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) loss = step();
  const seconds = (performance.now() - t0) / 1000;
  const leaked = tf.memory().numTensors - tensorsBefore;

  tf.dispose([images, labels]);
  optimizer.dispose();
  params.dispose();

  return {
    config: { backbone: definition.id, ...options, batch, size, steps, warmup, parameters: trainable.reduce((n, p) => n + p.variable.size, 0) },
    msPerStep: (seconds * 1000) / Math.max(steps, 1),
    imagesPerSec: (batch * steps) / seconds,
    loss,
    leakedTensors: leaked,
  };
}

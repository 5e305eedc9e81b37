// One supervised training step of a backbone: forward, backward, SGD update.
// The throughput every pre-training method is bounded by, at the sizes the study uses.
import { BenchError, intFlag } from './args.mjs';
import { findTorchPython, startPytorch } from './pytorch.mjs';
import { tf } from './tf.mjs';

export const description =
  'ResNet-18 (3×3 stem, widths w/2w/4w/8w) forward + backward + SGD on random data; --backbone vit-tiny|vit-small [--patch P --depth N] for a ViT; ' +
  '--compare-pytorch [--rounds N]: the same ResNet in CPU PyTorch (same threads), runs alternating, both figures and their ratio';

const BACKBONES = ['resnet18', 'vit-tiny', 'vit-small'];

/** The backbone under test and the options it is built with (ViTs ignore --width). */
function backboneChoice(core, flags) {
  const id = typeof flags.backbone === 'string' ? flags.backbone : 'resnet18';
  if (!BACKBONES.includes(id)) throw new BenchError(`--backbone must be one of ${BACKBONES.join(', ')}, got '${id}'`);
  if (id === 'resnet18') return { definition: core.resnet18Definition, options: { width: intFlag(flags, 'width', 16), cifarStem: true } };
  const definition = id === 'vit-tiny' ? core.vitTinyDefinition : core.vitSmallDefinition;
  return { definition, options: { patchSize: intFlag(flags, 'patch', 4), depth: intFlag(flags, 'depth', 12) } };
}

/** Median of a list of numbers. */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function trainStep(core, flags, backendInfo) {
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

  const step = async () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(labels, head.apply(net.apply(images, true))),
        variables,
      );
      optimizer.step(grads, 0.1);
      return value;
    });
    // Waits for the step to finish on asynchronous backends (webgpu cannot read synchronously in Node).
    const v = (await loss.data())[0];
    loss.dispose();
    return v;
  };

  /** Times `count` steps: { imagesPerSec, msPerStep, loss }. */
  const timed = async (count) => {
    let loss = NaN;
    const t0 = performance.now();
    for (let i = 0; i < count; i++) loss = await step();
    const seconds = (performance.now() - t0) / 1000;
    return { imagesPerSec: (batch * count) / seconds, msPerStep: (seconds * 1000) / Math.max(count, 1), loss };
  };

  const parameters = trainable.reduce((n, p) => n + p.variable.size, 0);
  const threads = backendInfo?.threads ?? 1;
  const compare = flags['compare-pytorch'] ? await pytorchSide(definition, options, { batch, size, threads, warmup, parameters }) : undefined;

  for (let i = 0; i < warmup; i++) await step();
  const tensorsBefore = tf.memory().numTensors;
  const rounds = compare ? Math.max(1, intFlag(flags, 'rounds', 5)) : 1;
  const ours = [];
  const theirs = [];
  try {
    for (let r = 0; r < rounds; r++) {
      ours.push(await timed(steps));
      if (compare?.pytorch) theirs.push(await compare.pytorch.run(steps));
    }
  } finally {
    compare?.pytorch?.stop();
  }
  const leaked = tf.memory().numTensors - tensorsBefore;

  tf.dispose([images, labels]);
  optimizer.dispose();
  params.dispose();

  const imagesPerSec = median(ours.map((o) => o.imagesPerSec));
  const result = {
    config: { backbone: definition.id, ...options, batch, size, steps, warmup, parameters, threads, ...(compare ? { rounds } : {}) },
    msPerStep: (batch * 1000) / imagesPerSec,
    imagesPerSec,
    loss: ours.at(-1).loss,
    leakedTensors: leaked,
  };
  if (!compare) return result;
  if (!compare.pytorch) return { ...result, pytorch: { skipped: compare.why }, details: [`PyTorch comparison skipped: ${compare.why}`] };
  const ratios = ours.map((o, i) => o.imagesPerSec / theirs[i].imagesPerSec);
  const spread = (list, digits = 1) => `${Math.min(...list).toFixed(digits)}–${Math.max(...list).toFixed(digits)}`;
  const theirsMedian = median(theirs.map((o) => o.imagesPerSec));
  const ratio = median(ratios);
  return {
    ...result,
    pytorch: {
      version: compare.pytorch.ready.torch,
      threads: compare.pytorch.ready.threads,
      waitPolicy: compare.pytorch.ready.waitPolicy,
      imagesPerSec: theirsMedian,
      rounds: theirs.map((o) => o.imagesPerSec),
    },
    ours: ours.map((o) => o.imagesPerSec),
    ratio,
    details: [
      `PyTorch ${compare.pytorch.ready.torch} (CPU, ${compare.pytorch.ready.threads} thread${compare.pytorch.ready.threads === 1 ? '' : 's'}, OpenMP ${compare.pytorch.ready.waitPolicy} wait): ${theirsMedian.toFixed(1)} images/s`,
      `ratio sempair/PyTorch: ${ratio.toFixed(2)} (median of ${rounds} alternating rounds of ${steps} steps; ` +
        `sempair ${spread(ours.map((o) => o.imagesPerSec))}, PyTorch ${spread(theirs.map((o) => o.imagesPerSec))} images/s, per-round ratios ${spread(ratios, 2)})`,
    ],
  };
}

/** Starts the same network in CPU PyTorch; { pytorch } or { why } when PyTorch is missing or the net differs. */
async function pytorchSide(definition, options, { batch, size, threads, warmup, parameters }) {
  if (definition.id !== 'resnet18') throw new BenchError('--compare-pytorch compares the ResNet-18 only (drop --backbone)');
  const found = findTorchPython();
  if (!found.python) return { why: found.why };
  // The native backend's default (see @sempair/backend-native's addon.ts), given to both sides.
  const waitPolicy = (process.env.OMP_WAIT_POLICY ?? 'passive').toLowerCase();
  const pytorch = await startPytorch(found.python, { width: options.width, batch, size, threads, warmup, waitPolicy });
  pytorch.ready.waitPolicy = waitPolicy;
  if (pytorch.ready.parameters !== parameters) {
    pytorch.stop();
    throw new BenchError(`the PyTorch network has ${pytorch.ready.parameters} parameters, sempair's ${parameters}: not the same network`);
  }
  return { pytorch };
}

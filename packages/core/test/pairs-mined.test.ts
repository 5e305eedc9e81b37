import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/index.js';
import { createRegistry } from '../src/builtins.js';
import type { Dataset } from '../src/data/dataset.js';
import { isUserError } from '../src/errors.js';
import { augmentedPairs } from '../src/pairs/augmented.js';
import { minedPairs } from '../src/pairs/mined.js';
import { nearestNeighbours } from '../src/pairs/nearest-neighbours.js';
import { semanticLabelPairs } from '../src/pairs/semantic-labels.js';
import { semanticManifestPairs } from '../src/pairs/semantic-manifest.js';
import { writeJsonAtomic } from '../src/runs/atomic-write.js';
import { saveCheckpoint } from '../src/runs/checkpoint.js';
import { RUN_FILES } from '../src/runs/run-dir.js';
import { Rng } from '../src/rng.js';
import { resolveRunConfig } from '../src/train/run-config.js';
import { prepareRun } from '../src/train/pretrain.js';

test.before(async () => {
  await initBackend('cpu');
});

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** Image i: a flat colour, its class's base colour plus a per-image offset; labels as given. */
function colourDataset(labels: number[], classes: number, seed = 3): Dataset & { colours: number[][] } {
  const rng = new Rng(seed);
  const bases = Array.from({ length: classes }, () => [rng.int(200), rng.int(200), rng.int(200)]);
  const colours = labels.map((y) => bases[y % classes]!.map((v) => v + rng.int(40)));
  return {
    name: 'colours',
    size: labels.length,
    classes: Array.from({ length: classes }, (_, c) => `c${c}`),
    shape: [4, 4, 3],
    colours,
    async get(i) {
      const image = new Uint8Array(48);
      for (let p = 0; p < 16; p++) image.set(colours[i]!, p * 3);
      return { image, label: labels[i]! };
    },
    labels: () => Int32Array.from(labels),
  };
}

/** A registry with a `pool` backbone (mean colour × a learnt scale) and a run made from it. */
async function runWithPoolBackbone(): Promise<{ registry: ReturnType<typeof createRegistry>; runDir: string }> {
  const registry = createRegistry();
  registry.backbones.register({
    id: 'pool',
    description: 'mean colour times a scale',
    options: {},
    build(_o, { params }) {
      const scale = params.add('scale', tf.ones([1]), 'weight');
      return { id: 'pool', featureDim: 3, params, apply: (x) => tf.mul(tf.mean(x, [1, 2]), scale) as tf.Tensor2D };
    },
  });
  registry.methods.register({ id: 'none', description: 'test', options: {}, training: {}, augmentation: 'symmetric', create: () => ({ loss: () => ({ loss: tf.scalar(0) }) }) });
  const config = resolveRunConfig([{ method: 'none', backbone: 'pool', augmentation: { size: 4 }, backend: 'cpu' }], registry);
  const runDir = await mkdtemp(join(tmpdir(), 'sempair-mined-'));
  await writeJsonAtomic(join(runDir, RUN_FILES.config), config);
  await mkdir(join(runDir, RUN_FILES.checkpoints), { recursive: true });
  const scale = tf.tensor1d([2]);
  await saveCheckpoint(join(runDir, RUN_FILES.checkpoints), 'step-00000001', new Map([['backbone.scale', scale]]), {
    format: 'sempair-checkpoint', version: 1, epoch: 1, step: 1, method: 'none', backbone: 'pool',
  });
  scale.dispose();
  return { registry, runDir };
}

/** Cosine k-NN of the normalised mean colours, by brute force in float64. */
function referenceNeighbours(colours: number[][], k: number): number[][] {
  const f = colours.map((c) => c.map((v, ch) => (v / 255 - MEAN[ch]!) / STD[ch]!));
  const unit = f.map((v) => v.map((x) => x / Math.hypot(...v)));
  return unit.map((u, i) =>
    unit
      .map((w, j) => ({ j, s: j === i ? -Infinity : u.reduce((acc, x, d) => acc + x * w[d]!, 0) }))
      .sort((a, b) => b.s - a.s)
      .slice(0, k)
      .map((e) => e.j),
  );
}

test('nearestNeighbours: cosine, self excluded, nearest first, in chunks', async (t) => {
  const rows = [[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9], [-1, 0]];
  const x = tf.tensor2d(rows);
  const nn = await nearestNeighbours(x, 2, 2);
  t.deepEqual(Array.from(nn), [1, 3, 0, 3, 3, 1, 2, 1, 2, 3], 'worked out by hand');
  await t.throwsAsync(() => nearestNeighbours(x, 5));
  x.dispose();
});

// Serial: it counts every live tensor, so no other test of this file may allocate or free meanwhile.
test.serial('mined pairs: partners are the k nearest in the run’s embedding; label agreement is reported', async (t) => {
  const { registry, runDir } = await runWithPoolBackbone();
  const labels = Array.from({ length: 24 }, (_, i) => i % 4);
  const dataset = colourDataset(labels, 4);
  const before = tf.memory().numTensors;
  const set = await minedPairs.create(dataset, { run: runDir, k: 3, featureBatchSize: 5, perClass: 0 }, { rng: new Rng(1), registry });
  t.is(tf.memory().numTensors, before, 'the index leaves nothing allocated');
  const expected = referenceNeighbours(dataset.colours, 3);
  for (const epoch of [0, 1]) {
    set.pairs(epoch).forEach((p, i) => {
      t.is(p.a, i);
      t.true(expected[i]!.includes(p.b), `image ${i}: ${p.b} not among ${expected[i]}`);
    });
  }
  const facts = set.describe() as { labelAgreement: number; labelAgreementK: number; checkpoint: string };
  const agree = expected.filter((nn, i) => labels[nn[0]!] === labels[i]).length / labels.length;
  t.is(facts.labelAgreement, agree);
  t.true(facts.labelAgreementK >= 0 && facts.labelAgreementK <= 1);
  t.is(facts.checkpoint, 'step-00000001');
});

test('mined pairs through prepareRun; a missing run option or run directory is a UserError', async (t) => {
  const { registry, runDir } = await runWithPoolBackbone();
  registry.datasets.register({ id: 'colours', description: 'test', options: {}, open: async () => colourDataset([0, 1, 0, 1, 0, 1], 2) });
  const config = resolveRunConfig([{ method: 'none', backbone: 'pool', dataset: 'colours', pairs: 'mined', pairOptions: { run: runDir }, augmentation: { size: 4 }, backend: 'cpu' }], registry);
  const prepared = await prepareRun(config, registry);
  t.is(prepared.pairSet.size, 6);
  t.true(prepared.pairSet.pairs(0).every((p) => p.a !== p.b));
  const noRun = await t.throwsAsync(() => minedPairs.create(colourDataset([0, 1], 2), { run: '', k: 1 }, { rng: new Rng(1), registry }));
  t.true(isUserError(noRun), String(noRun));
  const missing = await t.throwsAsync(() => minedPairs.create(colourDataset([0, 1], 2), { run: join(runDir, 'nope'), k: 1 }, { rng: new Rng(1), registry }));
  t.true(isUserError(missing), String(missing));
});

test('perClass: the same seeded subset for semantic and augmented pairs, nested as it grows, refused when a class is short', async (t) => {
  const labels = Array.from({ length: 30 }, (_, i) => i % 3);
  const dataset = colourDataset(labels, 3);
  const imagesOf = async (set: { images: Dataset }) => Promise.all(Array.from({ length: set.images.size }, async (_, i) => (await set.images.get(i)).image.join()));
  const sp = await semanticLabelPairs.create(dataset, { mode: 'redraw', perClass: 4 }, { rng: new Rng(9) });
  const ap = await augmentedPairs.create(dataset, { perClass: 4 }, { rng: new Rng(9) });
  t.is(sp.size, 12);
  t.deepEqual(await imagesOf(sp), await imagesOf(ap));
  const spLabels = sp.images.labels!();
  t.deepEqual([0, 1, 2].map((c) => spLabels.filter((y) => y === c).length), [4, 4, 4]);
  for (const p of sp.pairs(0)) t.is(spLabels[p.a], spLabels[p.b]);
  const larger = await augmentedPairs.create(dataset, { perClass: 7 }, { rng: new Rng(9) });
  const big = new Set(await imagesOf(larger));
  t.true((await imagesOf(ap)).every((img) => big.has(img)), '4 per class ⊂ 7 per class');
  const short = await t.throwsAsync(() => augmentedPairs.create(dataset, { perClass: 11 }, { rng: new Rng(9) }));
  t.true(isUserError(short));
  t.regex(short!.message, /has 10 images, fewer than perClass=11/);
});

test('perClass on a manifest keeps a seeded, nested subset of each class’s rows', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sempair-manifest-'));
  const labels = Array.from({ length: 24 }, (_, i) => i % 3);
  const dataset = colourDataset(labels, 3);
  const rows = Array.from({ length: 12 }, (_, r) => `c${r % 3},${r},${r + 12}`);
  const manifest = join(dir, 'pairs.csv');
  await writeFile(manifest, ['class,image_a,image_b', ...rows].join('\n'));
  const pairsOf = async (perClass: number) => {
    const set = await semanticManifestPairs.create(dataset, { manifest, perClass }, { rng: new Rng(4) });
    const lab = set.images.labels!();
    return Promise.all(set.pairs(0).map(async (p) => `${lab[p.a]}:${(await set.images.get(p.a)).image.join()}`));
  };
  const two = await pairsOf(2);
  const three = await pairsOf(3);
  t.is(two.length, 6);
  t.deepEqual([0, 1, 2].map((c) => two.filter((p) => p.startsWith(`${c}:`)).length), [2, 2, 2]);
  t.true(two.every((p) => three.includes(p)), '2 per class ⊂ 3 per class');
  const short = await t.throwsAsync(() => semanticManifestPairs.create(dataset, { manifest, perClass: 5 }, { rng: new Rng(4) }));
  t.regex(short!.message, /has 4 pairs, fewer than perClass=5/);
});

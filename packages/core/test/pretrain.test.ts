import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { cpus, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { createRegistry } from '../src/builtins.js';
import type { Dataset } from '../src/data/dataset.js';
import type { MethodDefinition } from '../src/method.js';
import { Linear } from '../src/nn/linear.js';
import { loadCheckpoint, listCheckpoints } from '../src/runs/checkpoint.js';
import { readMetrics, readRunStatus } from '../src/runs/run-dir.js';
import { pretrain, prepareRun } from '../src/train/pretrain.js';
import { resolveRunConfig, type RunConfigInput } from '../src/train/run-config.js';

/**
 * The trainer is tested with a tiny linear "backbone" and an alignment method registered
 * through the public registry, so these tests exercise the loop (resume, NaN stop, leaks)
 * in seconds on the cpu backend without depending on any plugin.
 */
function registryForTests(nanAtStep = -1) {
  const registry = createRegistry();
  registry.datasets.register({
    id: 'tiny',
    description: 'test images',
    options: {},
    async open() {
      const size = 48;
      const images = Array.from({ length: size }, (_, i) => Uint8Array.from({ length: 8 * 8 * 3 }, (_, k) => (i * 37 + k * 11 * ((i % 4) + 1)) % 256));
      const dataset: Dataset = {
        name: 'tiny', size, classes: ['a', 'b', 'c', 'd'], shape: [8, 8, 3],
        async get(i) { return { image: images[i]!, label: i % 4 }; },
        labels: () => Int32Array.from({ length: size }, (_, i) => i % 4),
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
          const unit = (z: tf.Tensor2D) => tf.div(z, tf.add(tf.norm(z, 2, 1, true), 1e-8));
          const [z1, z2] = batch.views.map((v) => unit(head.apply(backbone.apply(v, true))));
          const loss = tf.mean(tf.sum(tf.square(tf.sub(z1!, z2!)), 1)) as tf.Scalar;
          const out = state.step === nanAtStep ? (tf.mul(loss, NaN) as tf.Scalar) : loss;
          return { loss: out, metrics: { z_norm: tf.mean(tf.norm(z1!, 2, 1)) as tf.Scalar } };
        },
      };
    },
  };
  registry.methods.register(align);
  return registry;
}

const base: RunConfigInput = {
  method: 'align', dataset: 'tiny', backbone: 'flat', pairs: 'semantic-labels', backend: 'cpu',
  augmentation: { size: 8 }, epochs: 3, batchSize: 16, logEvery: 1, seed: 7,
};

async function weightsOf(runDir: string): Promise<Record<string, number[]>> {
  const names = await listCheckpoints(join(runDir, 'checkpoints'));
  const { tensors } = await loadCheckpoint(join(runDir, 'checkpoints', names[names.length - 1]!));
  const out: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(tensors)) out[k] = Array.from(await v.data());
  tf.dispose(Object.values(tensors));
  return out;
}

test.serial('a run writes config, metrics, checkpoints and a completed status', async (t) => {
  const registry = registryForTests();
  const config = resolveRunConfig([base], registry);
  const runDir = join(await mkdtemp(join(tmpdir(), 'sempair-pretrain-')), 'run');
  const result = await pretrain(config, registry, { runDir });
  t.is(result.status, 'completed');
  t.is(result.steps, 9);
  t.true(Number.isFinite(result.finalLoss));
  t.deepEqual(JSON.parse(await readFile(join(runDir, 'config.json'), 'utf8')), JSON.parse(JSON.stringify(config)));
  const metrics = await readMetrics(runDir);
  t.is(metrics.length, 9);
  t.truthy(metrics[0]!.z_norm);
  const status = (await readRunStatus(runDir))!;
  t.is(status.state, 'completed');
  t.like(status.machine, { host: hostname(), cpus: cpus().length, node: process.versions.node }, 'the status says where it trained');
  t.is((await readdir(join(runDir, 'tensorboard'))).filter((f) => f.startsWith('events.out.tfevents.')).length, 1, 'the scalars also went to a TensorBoard event file');
  t.true((await listCheckpoints(join(runDir, 'checkpoints'))).includes('step-00000009'));
  const w = await weightsOf(runDir);
  t.truthy(w['backbone.fc.weight']);
  t.truthy(w['head.proj.weight']);
});

test.serial('an interrupted run resumed from its checkpoint ends with the same weights as an uninterrupted one', async (t) => {
  const registry = registryForTests();
  const config = resolveRunConfig([base], registry);
  const root = await mkdtemp(join(tmpdir(), 'sempair-resume-'));
  await pretrain(config, registry, { runDir: join(root, 'straight') });

  const controller = new AbortController();
  const first = await pretrain(config, registry, {
    runDir: join(root, 'interrupted'),
    signal: controller.signal,
    progress: (e) => { if (e.step === 4) controller.abort(); },
  });
  t.is(first.status, 'aborted');
  t.is(first.steps, 4);
  t.true((await listCheckpoints(join(root, 'interrupted', 'checkpoints'))).includes('step-00000004'));
  const resumed = await pretrain(config, registry, { runDir: join(root, 'interrupted'), resume: true });
  t.is(resumed.status, 'completed');
  t.is(resumed.steps, 9);
  const a = await weightsOf(join(root, 'straight'));
  const b = await weightsOf(join(root, 'interrupted'));
  t.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
  for (const k of Object.keys(a)) {
    const maxDiff = a[k]!.reduce((m, v, i) => Math.max(m, Math.abs(v - b[k]![i]!)), 0);
    t.true(maxDiff < 1e-6, `${k} differs by ${maxDiff}`);
  }
});

test.serial('a NaN loss stops the run with a clear message and keeps the last good checkpoint', async (t) => {
  const registry = registryForTests(5);
  const config = resolveRunConfig([base], registry);
  const runDir = join(await mkdtemp(join(tmpdir(), 'sempair-nan-')), 'run');
  const result = await pretrain(config, registry, { runDir });
  t.is(result.status, 'stopped-nan');
  t.regex(result.message!, /loss became NaN at step 5 .*kept the last good checkpoint step-00000003/);
  t.deepEqual(await listCheckpoints(join(runDir, 'checkpoints')), ['step-00000003']);
  t.is((await readRunStatus(runDir))!.state, 'stopped-nan');
});

test.serial('tensor count stays flat across training steps', async (t) => {
  const registry = registryForTests();
  const config = resolveRunConfig([{ ...base, epochs: 4 }], registry);
  const runDir = join(await mkdtemp(join(tmpdir(), 'sempair-leak-')), 'run');
  const counts: number[] = [];
  await pretrain(config, registry, { runDir, progress: () => counts.push(tf.memory().numTensors) });
  t.is(counts.length, 12);
  t.deepEqual(new Set(counts.slice(1)).size, 1, `numTensors per step: ${counts.join(',')}`);
});

test.serial('bad configs are refused before any run directory is created', async (t) => {
  const registry = registryForTests();
  t.throws(() => resolveRunConfig([{ ...base, method: 'nope' }], registry), { message: /unknown method 'nope'/ });
  t.throws(() => resolveRunConfig([{ ...base, epochs: 0 }], registry), { message: /epochs must be a positive integer/ });
  t.throws(() => resolveRunConfig([{ ...base, pairOptions: { mode: 'sometimes' } }], registry), { message: /option 'mode' must be one of redraw, fixed/ });
  const config = resolveRunConfig([{ ...base, pairs: 'semantic-manifest', pairOptions: { manifest: '/nonexistent/m.csv' } }], registry);
  const runDir = join(await mkdtemp(join(tmpdir(), 'sempair-bad-')), 'run');
  await t.throwsAsync(prepareRun(config, registry), { message: /manifest not found/ });
  t.false(existsSync(runDir));
});

import { existsSync } from 'node:fs';
import { mkdtemp, readdir, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { assignCheckpoint, listCheckpoints, loadCheckpoint, pruneCheckpoints, saveCheckpoint, checkpointName } from '../src/runs/checkpoint.js';
import { appendMetrics, configId, readMetrics, stableStringify } from '../src/runs/run-dir.js';
import { writeJsonAtomic } from '../src/runs/atomic-write.js';
import { evalResultFile, evalResultName } from '../src/runs/evaluate-run.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

test('checkpoints round-trip in the TF.js weights format and leave no temporary folder', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sempair-ckpt-'));
  const a = tf.variable(tf.tensor2d([[1, 2], [3, 4]]));
  const b = tf.variable(tf.tensor1d([5, 6, 7]));
  const path = await saveCheckpoint(dir, checkpointName(12), new Map<string, tf.Tensor>([['w.a', a], ['w.b', b]]), { format: 'sempair-checkpoint', version: 1, epoch: 1, step: 12 });
  const model = JSON.parse(await (await import('node:fs/promises')).readFile(join(path, 'model.json'), 'utf8'));
  t.deepEqual(model.weightsManifest[0].paths, ['weights.bin']);
  t.deepEqual((await readdir(dir)).sort(), ['step-00000012']);
  a.assign(tf.zeros([2, 2]));
  const loaded = await loadCheckpoint(path);
  t.is(loaded.meta.step, 12);
  assignCheckpoint(new Map([['w.a', a], ['w.b', b]]), loaded.tensors, 'test');
  t.deepEqual(await a.array(), [[1, 2], [3, 4]]);
  const wrong = tf.variable(tf.zeros([3]));
  const error = t.throws(() => assignCheckpoint(new Map([['w.a', wrong]]), loaded.tensors, 'test'));
  t.regex(error!.message, /has shape \[2,2\] but the model expects \[3\]/);
  tf.dispose([a, b, wrong, ...Object.values(loaded.tensors)]);
});

test('pruning keeps the newest checkpoints', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sempair-ckpt-'));
  const v = tf.scalar(1);
  for (const s of [1, 2, 3]) await saveCheckpoint(dir, checkpointName(s), new Map([['v', v]]), { format: 'sempair-checkpoint', version: 1, epoch: s, step: s });
  await pruneCheckpoints(dir, 2);
  t.deepEqual(await listCheckpoints(dir), ['step-00000002', 'step-00000003']);
  v.dispose();
});

test('metrics lines survive a torn last line', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sempair-run-'));
  await appendMetrics(dir, { step: 1, loss: 2 });
  await appendMetrics(dir, { step: 2, loss: 1.5 });
  await appendFile(join(dir, 'metrics.jsonl'), '{"step": 3, "lo');
  t.deepEqual(await readMetrics(dir), [{ step: 1, loss: 2 }, { step: 2, loss: 1.5 }]);
});

test('atomic JSON writes replace whole files', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sempair-run-'));
  const path = join(dir, 'x', 'status.json');
  await writeJsonAtomic(path, { a: 1 });
  await writeJsonAtomic(path, { a: 2 });
  t.true(existsSync(path));
  t.deepEqual(await readdir(join(dir, 'x')), ['status.json']);
  await writeFile(join(dir, 'noop'), '');
});

test('config ids ignore key order', (t) => {
  t.is(configId({ a: 1, b: { c: 2, d: [1, 2] } }), configId({ b: { d: [1, 2], c: 2 }, a: 1 }));
  t.not(configId({ a: 1 }), configId({ a: 2 }));
  t.is(stableStringify({ b: 1, a: undefined, c: 'x' }), '{"b":1,"c":"x"}');
});

test('a random-init result without a name carries its downstream dataset, so two datasets never share a file', (t) => {
  t.is(evalResultName('linear', { dataset: 'fashion-mnist', datasetOptions: '' }, { randomInit: true }), 'linear-fashion-mnist');
  const a = evalResultName('linear', { dataset: 'synthetic', datasetOptions: 'seed=1,clutter=0.3' }, { randomInit: true });
  t.regex(a, /^linear-synthetic-[0-9a-f]{6}$/);
  t.is(evalResultName('linear', { dataset: 'synthetic', datasetOptions: 'clutter=0.3, seed=1' }, { randomInit: true }), a, 'the same options in another order');
  t.not(evalResultName('linear', { dataset: 'synthetic', datasetOptions: 'seed=2,clutter=0.3' }, { randomInit: true }), a);
  t.is(evalResultName('linear', { dataset: 'fashion-mnist' }, { randomInit: true, name: 'linear-fashion' }), 'linear-fashion', 'an evaluation name wins');
  t.is(evalResultName('linear', { dataset: 'fashion-mnist' }), 'linear', 'a pre-trained result keeps the evaluator id');
  t.is(evalResultName('detection', { voc: '/data/voc' }, { randomInit: true }), 'detection', 'no downstream dataset option: the evaluator id');
  t.is(evalResultFile('linear-fashion', true), 'linear-fashion-random.json');
  t.is(evalResultFile('linear-fashion'), 'linear-fashion.json');
});

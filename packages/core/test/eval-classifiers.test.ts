import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { knnScores } from '../src/eval/knn-classify.js';
import { trainLinearClassifier } from '../src/eval/linear-classifier.js';
import { disposeStandardizer, fitStandardizer, standardize } from '../src/eval/standardize.js';
import { topKAccuracy, topKCorrect } from '../src/eval/top-k.js';
import { Rng } from '../src/rng.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

test.serial('top-k accuracy on hand-worked cases', async (t) => {
  const scores = tf.tensor2d(
    [
      [0.1, 0.7, 0.2, 0.0], // ranking 1, 2, 0, 3
      [0.9, 0.05, 0.03, 0.02], // ranking 0, 1, 2, 3
      [0.2, 0.3, 0.4, 0.1], // ranking 2, 1, 0, 3
    ],
    [3, 4],
  );
  const labels = new Int32Array([1, 2, 0]);
  // top-1: row 0 right (1), row 1 wrong (0 ≠ 2), row 2 wrong (2 ≠ 0).
  t.is(await topKCorrect(scores, labels, 1), 1);
  // top-2: row 0 ✓, row 1 {0,1} ✗, row 2 {2,1} ✗.
  t.is(await topKCorrect(scores, labels, 2), 1);
  // top-3: row 1 {0,1,2} ✓, row 2 {2,1,0} ✓.
  t.is(await topKCorrect(scores, labels, 3), 3);
  // k beyond the class count is capped: everything is in the top 4.
  t.is(await topKCorrect(scores, labels, 5), 3);
  t.is(await topKAccuracy(scores, labels, 1), 100 / 3);
  t.is(await topKAccuracy(scores, tf.tensor1d([1, 0, 2], 'int32'), 1), 100);
  // Ties go to the lower class index, as tf.topk breaks them.
  const tied = tf.tensor2d([[0.5, 0.5, 0.1]], [1, 3]);
  t.is(await topKCorrect(tied, new Int32Array([0]), 1), 1);
  t.is(await topKCorrect(tied, new Int32Array([1]), 1), 0);
  t.is(await topKAccuracy(tf.zeros([0, 3]) as tf.Tensor2D, new Int32Array(0), 1), 0);
  await t.throwsAsync(topKCorrect(scores, new Int32Array([1]), 1), { message: /3 score rows but 1 labels/ });
});

function randomMatrix(rows: number, cols: number, rng: Rng): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
  return out;
}

/** DINO's weighted kNN with plain loops in float64. */
function bruteForceKnn(bank: Float32Array, labels: Int32Array, queries: Float32Array, d: number, k: number, temp: number, classes: number): Float64Array[] {
  const normalize = (v: Float32Array, i: number): number[] => {
    const row = Array.from(v.subarray(i * d, (i + 1) * d));
    const norm = Math.sqrt(row.reduce((s, x) => s + x * x, 0));
    return row.map((x) => x / norm);
  };
  const n = labels.length;
  const b = Array.from({ length: n }, (_, i) => normalize(bank, i));
  const out: Float64Array[] = [];
  for (let q = 0; q < queries.length / d; q++) {
    const z = normalize(queries, q);
    const sims = b.map((row, i) => ({ i, s: row.reduce((acc, x, j) => acc + x * z[j]!, 0) }));
    sims.sort((p, r) => r.s - p.s);
    const votes = new Float64Array(classes);
    for (const { i, s } of sims.slice(0, k)) votes[labels[i]!] += Math.exp(s / temp);
    out.push(votes);
  }
  return out;
}

test.serial('weighted kNN matches a brute-force computation, in any chunking', (t) => {
  const rng = new Rng(7);
  const n = 60;
  const m = 23;
  const d = 6;
  const classes = 4;
  const bank = randomMatrix(n, d, rng);
  const queries = randomMatrix(m, d, rng);
  const labels = Int32Array.from({ length: n }, () => rng.int(classes));
  const expected = bruteForceKnn(bank, labels, queries, d, 5, 0.07, classes);
  const bankT = tf.tensor2d(bank, [n, d]);
  const queryT = tf.tensor2d(queries, [m, d]);
  const before = tf.memory().numTensors;
  for (const chunk of [1, 7, 256]) {
    const scores = knnScores(bankT, labels, queryT, { k: 5, temperature: 0.07, classes, chunk });
    t.deepEqual(scores.shape, [m, classes]);
    const got = scores.arraySync();
    scores.dispose();
    for (let q = 0; q < m; q++) {
      for (let c = 0; c < classes; c++) {
        const e = expected[q]![c]!;
        t.true(Math.abs(got[q]![c]! - e) <= 1e-4 * (1 + Math.abs(e)), `query ${q} class ${c}: ${got[q]![c]} vs ${e}`);
      }
    }
  }
  t.is(tf.memory().numTensors, before, 'no tensors leak');
  // k larger than the bank: every bank row votes.
  const all = knnScores(bankT, labels, queryT, { k: 1000, temperature: 0.5, classes });
  const full = bruteForceKnn(bank, labels, queries, d, n, 0.5, classes);
  t.true(Math.abs(all.arraySync()[0]![0]! - full[0]![0]!) < 1e-3 * (1 + full[0]![0]!));
  tf.dispose([all, bankT, queryT]);
});

test.serial('kNN scores give the right class for well-separated clusters', async (t) => {
  // Bank: 3 classes along 3 axes; queries near an axis take its class.
  const bank = tf.tensor2d([1, 0, 0, 0.9, 0.1, 0, 0, 1, 0, 0.1, 0.9, 0, 0, 0, 1, 0, 0.1, 0.9], [6, 3]);
  const labels = new Int32Array([0, 0, 1, 1, 2, 2]);
  const queries = tf.tensor2d([2, 0.1, 0, 0, 0, 5, 0.2, 3, 0.1], [3, 3]);
  const scores = knnScores(bank, labels, queries, { k: 2, temperature: 0.07, classes: 3 });
  t.is(await topKAccuracy(scores, new Int32Array([0, 2, 1]), 1), 100);
  tf.dispose([bank, queries, scores]);
});

test.serial('standardizer: train mean 0 / std 1, constant dimensions zeroed', (t) => {
  const x = tf.tensor2d([1, 5, 7, 3, 5, 7, 5, 5, 7, 7, 5, 7], [4, 3]);
  const s = fitStandardizer(x);
  const y = standardize(x, s);
  const { mean, variance } = tf.moments(y, 0);
  const m = mean.dataSync();
  const v = variance.dataSync();
  t.true(Math.abs(m[0]!) < 1e-6 && Math.abs(v[0]! - 1) < 1e-5);
  // Columns 1 and 2 are constant: mapped to 0, also for unseen values.
  t.deepEqual(Array.from(s.invStd.dataSync().slice(1)), [0, 0]);
  const unseen = standardize(tf.tensor2d([[4, 100, -3]]), s);
  t.deepEqual(Array.from(unseen.dataSync()).slice(1).map(Math.abs), [0, 0]);
  tf.dispose([x, y, mean, variance, unseen]);
  disposeStandardizer(s);
});

/** Gaussian blobs: class c centred at 3·e_c in the first dims, unit noise everywhere. */
function blobs(n: number, d: number, classes: number, rng: Rng): { x: Float32Array; y: Int32Array } {
  const x = randomMatrix(n, d, rng);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % classes;
    x[i * d + y[i]!] += 4;
  }
  return { x, y };
}

for (const optimizer of ['adam', 'sgd'] as const) {
  test.serial(`linear classifier (${optimizer}) separates Gaussian blobs and leaks nothing`, async (t) => {
    const rng = new Rng(3);
    const d = 16;
    const classes = 6;
    const train = blobs(600, d, classes, rng);
    const testSet = blobs(300, d, classes, rng);
    const xTrain = tf.tensor2d(train.x, [600, d]);
    const xTest = tf.tensor2d(testSet.x, [300, d]);
    const before = tf.memory().numTensors;
    const clf = await trainLinearClassifier(xTrain, train.y, classes, {
      epochs: 15,
      batchSize: 64,
      lr: optimizer === 'adam' ? 0.01 : 0.1,
      weightDecay: 0,
      optimizer,
      rng: new Rng(1),
    });
    t.deepEqual(clf.weight.shape, [d, classes]);
    const logits = clf.logits(xTest);
    // Bayes accuracy of these blobs is about 98%.
    const acc = await topKAccuracy(logits, testSet.y, 1);
    t.true(acc > 95, `test accuracy ${acc}`);
    logits.dispose();
    clf.dispose();
    t.is(tf.memory().numTensors, before, 'no tensors leak');
    tf.dispose([xTrain, xTest]);
  });
}

test.serial('linear classifier is deterministic given the rng and rejects bad labels', async (t) => {
  const rng = new Rng(4);
  const { x, y } = blobs(100, 5, 3, rng);
  const xt = tf.tensor2d(x, [100, 5]);
  const run = async (): Promise<Float32Array> => {
    const clf = await trainLinearClassifier(xt, y, 3, { epochs: 3, batchSize: 32, lr: 0.01, weightDecay: 1e-4, rng: new Rng(9) });
    const w = clf.weight.dataSync() as Float32Array;
    clf.dispose();
    return w;
  };
  t.deepEqual(await run(), await run());
  await t.throwsAsync(trainLinearClassifier(xt, y.map((v) => v + 1), 3, { epochs: 1, batchSize: 8, lr: 0.1, weightDecay: 0, rng }), {
    message: /label 3 is outside 0\.\.2/,
  });
  xt.dispose();
});

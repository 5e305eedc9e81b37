import test from 'ava';
import { initBackend, randomRows } from '@sempair/core';
import * as tf from '@tensorflow/tfjs-core';
import { DinoLoss, teacherTemperatureSchedule } from '../src/index.js';

test.before(async () => {
  await initBackend('cpu');
});

/** solo-learn's DINOLoss.forward in float64 with plain loops; returns the loss and the next center. */
function reference(
  student: ArrayLike<number>,
  teacher: ArrayLike<number>,
  center: ArrayLike<number>,
  { views, b, p, studentTemp, temp, momentum }: { views: number; b: number; p: number; studentTemp: number; temp: number; momentum: number },
): { loss: number; center: Float64Array } {
  const logSoftmax = (row: number[]): number[] => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
    return row.map((x) => x - lse);
  };
  const softmax = (row: number[]): number[] => logSoftmax(row).map(Math.exp);
  const rowOf = (t: ArrayLike<number>, r: number) => Array.from({ length: p }, (_, k) => t[r * p + k]!);
  let total = 0;
  let terms = 0;
  for (let iq = 0; iq < 2; iq++) {
    for (let iv = 0; iv < views; iv++) {
      if (iv === iq) continue;
      let sum = 0;
      for (let i = 0; i < b; i++) {
        const q = softmax(rowOf(teacher, iq * b + i).map((t, k) => (t - center[k]!) / temp));
        const s = logSoftmax(rowOf(student, iv * b + i).map((x) => x / studentTemp));
        for (let k = 0; k < p; k++) sum += -q[k]! * s[k]!;
      }
      total += sum / b;
      terms++;
    }
  }
  const next = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    let mean = 0;
    for (let r = 0; r < 2 * b; r++) mean += teacher[r * p + k]!;
    next[k] = center[k]! * momentum + (mean / (2 * b)) * (1 - momentum);
  }
  return { loss: total / terms, center: next };
}

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

for (const views of [2, 3, 6]) {
  test(`loss and center update match a float64 reference over 3 steps (${views} student views)`, async (t) => {
    const b = 5;
    const p = 17;
    const loss = new DinoLoss({
      numPrototypes: p,
      teacherTemp: 0.07,
      warmupTeacherTemp: 0.04,
      warmupTeacherTempEpochs: 3,
      numEpochs: 5,
      numStudentViews: views,
    });
    let center: ArrayLike<number> = new Float64Array(p);
    for (let step = 0; step < 3; step++) {
      const epoch = step * 2; // epochs 0, 2, 4: warm-up start, warm-up end, after
      const s = randomRows(views * b, p, 10 + step, { scale: 2 });
      const tt = randomRows(2 * b, p, 20 + step, { scale: 0.5, shift: step * 0.3 });
      const expected = reference(s, tt, center, { views, b, p, studentTemp: 0.1, temp: [0.04, 0.07, 0.07][step]!, momentum: 0.9 });
      const st = tf.tensor2d(s, [views * b, p]);
      const te = tf.tensor2d(tt, [2 * b, p]);
      const value = loss.compute(st, te, epoch);
      t.true(relErr(value.dataSync()[0]!, expected.loss) < 1e-5, `step ${step}: ${value.dataSync()[0]} vs ${expected.loss}`);
      const got = loss.center.dataSync();
      expected.center.forEach((c, k) => t.true(Math.abs(got[k]! - c) < 1e-6 * Math.max(1, Math.abs(c))));
      center = expected.center;
      tf.dispose([st, te, value]);
    }
    loss.dispose();
  });
}

test('teacher temperature: linspace with both endpoints, then constant; past the end the last value', (t) => {
  const loss = new DinoLoss({ numPrototypes: 3, teacherTemp: 0.07, warmupTeacherTemp: 0.04, warmupTeacherTempEpochs: 4, numEpochs: 6, numStudentViews: 2 });
  t.is(loss.teacherTemperature(0), 0.04);
  t.true(Math.abs(loss.teacherTemperature(1) - 0.05) < 1e-15);
  t.true(Math.abs(loss.teacherTemperature(2) - 0.06) < 1e-15);
  t.is(loss.teacherTemperature(3), 0.07);
  t.is(loss.teacherTemperature(5), 0.07);
  t.is(loss.teacherTemperature(99), 0.07);
  t.deepEqual(teacherTemperatureSchedule(0.04, 0.07, 1, 3), [0.04, 0.07, 0.07]);
  t.deepEqual(teacherTemperatureSchedule(0.04, 0.07, 0, 2), [0.07, 0.07]);
  t.throws(() => teacherTemperatureSchedule(0.04, 0.07, 5, 3), { message: /exceeds numEpochs/ });
  loss.dispose();
});

test('center: zeros at the start, assignable, shape-checked, used before its own update', (t) => {
  const p = 4;
  const loss = new DinoLoss({ numPrototypes: p, teacherTemp: 0.07, warmupTeacherTemp: 0.07, warmupTeacherTempEpochs: 0, numEpochs: 1, numStudentViews: 2 });
  t.deepEqual(Array.from(loss.center.dataSync()), [0, 0, 0, 0]);
  t.deepEqual(loss.center.shape, [1, p]);
  const c = tf.tensor2d([[0.5, -1, 2, 0]]);
  loss.center = c;
  c.dispose();
  t.deepEqual(Array.from(loss.center.dataSync()), [0.5, -1, 2, 0]);
  t.throws(() => (loss.center = tf.zeros([p])), { message: /center must be \[1, 4\]/ });
  // A teacher equal to the center in every row gives a uniform target: loss = mean log-partition.
  const s = randomRows(4, p, 3);
  const teacher = tf.tensor2d([0.5, -1, 2, 0, 0.5, -1, 2, 0, 0.5, -1, 2, 0, 0.5, -1, 2, 0], [4, p]);
  const expected = reference(s, teacher.dataSync(), [0.5, -1, 2, 0], { views: 2, b: 2, p, studentTemp: 0.1, temp: 0.07, momentum: 0.9 });
  const st = tf.tensor2d(s, [4, p]);
  const value = loss.compute(st, teacher, 0);
  t.true(relErr(value.dataSync()[0]!, expected.loss) < 1e-5);
  // The center moved toward the teacher's mean, which equals it: unchanged.
  Array.from(loss.center.dataSync()).forEach((v, k) => t.true(Math.abs(v - [0.5, -1, 2, 0][k]!) < 1e-6));
  tf.dispose([teacher, st, value]);
  loss.dispose();
});

test('gradient reaches the student only and matches central differences of the reference', (t) => {
  const views = 3;
  const b = 2;
  const p = 5;
  const opts = { numPrototypes: p, teacherTemp: 0.07, warmupTeacherTemp: 0.04, warmupTeacherTempEpochs: 2, numEpochs: 4, numStudentViews: views };
  const loss = new DinoLoss(opts);
  const s = randomRows(views * b, p, 7, { scale: 0.2 });
  const te = randomRows(2 * b, p, 8, { scale: 0.2 });
  const student = tf.tensor2d(s, [views * b, p]);
  const teacher = tf.tensor2d(te, [2 * b, p]);
  const before = tf.memory().numTensors;
  const [gs, gt] = tf.grads((x: tf.Tensor, y: tf.Tensor) => loss.compute(x as tf.Tensor2D, y as tf.Tensor2D, 1))([student, teacher]);
  t.true(Array.from(gt!.dataSync()).every((g) => g === 0), 'the teacher is detached');
  const analytic = gs!.dataSync();
  const f64 = Float64Array.from(s);
  const refAt = (values: Float64Array) =>
    reference(values, te, new Float64Array(p), { views, b, p, studentTemp: 0.1, temp: 0.07, momentum: 0.9 }).loss;
  const h = 1e-5;
  for (let i = 0; i < f64.length; i++) {
    const plus = Float64Array.from(f64);
    const minus = Float64Array.from(f64);
    plus[i]! += h;
    minus[i]! -= h;
    const numeric = (refAt(plus) - refAt(minus)) / (2 * h);
    t.true(Math.abs(analytic[i]! - numeric) < 1e-4 * Math.max(1, Math.abs(numeric)), `entry ${i}: ${analytic[i]} vs ${numeric}`);
  }
  tf.dispose([gs!, gt!]);
  t.is(tf.memory().numTensors, before, 'nothing left allocated but the outputs');
  tf.dispose([student, teacher]);
  loss.dispose();
});

test('shapes that do not fit end in a clear error', (t) => {
  const loss = new DinoLoss({ numPrototypes: 4, teacherTemp: 0.07, warmupTeacherTemp: 0.04, warmupTeacherTempEpochs: 0, numEpochs: 1, numStudentViews: 4 });
  const s = tf.zeros([8, 4]) as tf.Tensor2D;
  t.throws(() => loss.compute(s, tf.zeros([6, 4]) as tf.Tensor2D, 0), { message: /2 global views of 2 images/ });
  t.throws(() => loss.compute(tf.zeros([7, 4]) as tf.Tensor2D, tf.zeros([4, 4]) as tf.Tensor2D, 0), { message: /not a multiple of 4 views/ });
  t.throws(() => new DinoLoss({ numPrototypes: 4, teacherTemp: 1, warmupTeacherTemp: 1, warmupTeacherTempEpochs: 0, numEpochs: 1, numStudentViews: 1 }));
  loss.dispose();
});

// Output buffers are reused only when nothing else can see them: arrays read out with
// dataSync(), views that stock kernels hand out (Slice), and caller-owned arrays stay intact.
import { nativeTest, normal, tf } from './helpers.js';

nativeTest('a training-like loop reuses output buffers and keeps tf.memory().numTensors flat', (t, k) => {
  const w = tf.variable(normal([3, 3, 4, 4], 1));
  const x = normal([2, 8, 8, 4], 2);
  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.relu(tf.conv2d(x as tf.Tensor4D, w as unknown as tf.Tensor4D, 1, 'same')))), [w]);
      w.assign(tf.sub(w, tf.mul(grads[w.name]!, 0.01)));
      return value.dataSync()[0]!;
    });
  step();
  const before = tf.memory().numTensors;
  const pool0 = k.poolStats();
  const losses = [step(), step(), step(), step()];
  t.is(tf.memory().numTensors, before);
  const pool1 = k.poolStats();
  t.true(pool1.reused - pool0.reused > (pool1.taken - pool0.taken) / 2, `most outputs reuse buffers (${JSON.stringify(pool1)})`);
  t.true(losses.every((l, i) => i === 0 || l < losses[i - 1]!), `loss decreases: ${losses}`);
  tf.dispose([w, x]);
});

nativeTest('an array read out with dataSync() is never handed to a later kernel', (t) => {
  const a = normal([1000], 1);
  const b = normal([1000], 2);
  const sum = tf.add(a, b);
  const values = sum.dataSync() as Float32Array;
  const copy = Float32Array.from(values);
  sum.dispose();
  // Many same-sized outputs: a recycled `values` would be overwritten by one of them.
  const later = Array.from({ length: 20 }, () => tf.mul(a, b));
  t.deepEqual(values, copy);
  tf.dispose([a, b, ...later]);
});

nativeTest("a stock kernel's view of a native output (Slice's subarray) keeps its values when the output is disposed", (t) => {
  const a = normal([64, 16], 1);
  const full = tf.relu(a);
  const part = tf.slice(full, [0, 0], [8, 16]); // stock Slice: a subarray of full's array
  const expected = Float32Array.from(tf.tidy(() => tf.relu(tf.slice(a, [0, 0], [8, 16])).dataSync()));
  full.dispose();
  const later = Array.from({ length: 20 }, () => tf.neg(a));
  t.deepEqual(Float32Array.from(part.dataSync()), expected);
  tf.dispose([a, part, ...later]);
});

nativeTest("a caller's own array given to tf.tensor is never recycled", (t) => {
  const mine = new Float32Array(256).fill(3);
  const x = tf.tensor1d(mine);
  const y = tf.relu(x); // native output
  x.dispose();
  y.dispose();
  const later = Array.from({ length: 10 }, () => tf.fill([256], 7));
  const more = later.map((l) => tf.relu(l));
  t.true(mine.every((v) => v === 3));
  tf.dispose([...later, ...more]);
});

nativeTest('unregister restores the stock kernels and the cpu backend; registering again works', async (t, k) => {
  const { registerNativeKernels } = await import('../src/index.js');
  const backend = tf.findBackend('cpu') as unknown as Record<string, unknown>;
  t.true(Object.prototype.hasOwnProperty.call(backend, 'disposeData'));
  k.unregister();
  t.false(Object.prototype.hasOwnProperty.call(backend, 'disposeData'), 'the pool unhooks the backend');
  t.is(tf.getKernel('SempairBatchNormTraining', 'cpu'), undefined);
  const stockConv = tf.getKernel('Conv2D', 'cpu')!.kernelFunc;
  const again = registerNativeKernels(tf, { threads: 1 });
  t.not(tf.getKernel('Conv2D', 'cpu')!.kernelFunc, stockConv);
  t.is(again.threads, 1);
  again.unregister();
  t.is(tf.getKernel('Conv2D', 'cpu')!.kernelFunc, stockConv);
});

import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ParameterSet, type Parameter } from '../src/nn/index.js';
import {
  DEFAULT_TRAINING,
  clipByGlobalNorm,
  createOptimizer,
  emaMomentum,
  emaUpdate,
  learningRateAt,
  scaledLr,
  scheduleFromOptions,
  type TrainingOptions,
} from '../src/optim/index.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

type Close = { true(v: boolean, m?: string): void };
const close = (t: Close, a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  t.true(a.length === b.length, `length ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) t.true(Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)), `[${i}] ${a[i]} vs ${b[i]}`);
};
const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

/** A weight (decays, LARS-adapted), a bias and a norm scale (neither), and a buffer (ignored). */
function fixture() {
  const params = new ParameterSet('m');
  params.add('fc.weight', tf.tensor([0.5, -1, 2, 0.25], [2, 2]), 'weight');
  params.add('fc.bias', tf.tensor([0.1, -0.2]), 'bias');
  params.add('bn.weight', tf.tensor([1, 1]), 'norm');
  params.add('bn.running_mean', tf.tensor([3, 3]), 'buffer');
  return params;
}
const W0 = [0.5, -1, 2, 0.25];
const B0 = [0.1, -0.2];
const N0 = [1, 1];
// Per-step gradients, keyed by parameter name.
const G = [
  { 'm.fc.weight': [0.1, 0.2, -0.3, 0.4], 'm.fc.bias': [1, -1], 'm.bn.weight': [0.5, 0.25] },
  { 'm.fc.weight': [-0.2, 0.1, 0.05, 0.3], 'm.fc.bias': [0.5, 0.5], 'm.bn.weight': [-0.5, 1] },
  { 'm.fc.weight': [0.3, -0.1, 0.2, -0.4], 'm.fc.bias': [-1, 2], 'm.bn.weight': [0.1, 0.1] },
];
const SHAPES: Record<string, number[]> = { 'm.fc.weight': [2, 2], 'm.fc.bias': [2], 'm.bn.weight': [2] };
const gradsAt = (i: number) => new Map(Object.entries(G[i]!).map(([k, v]) => [k, tf.tensor(v, SHAPES[k])]));
const opts = (o: Partial<TrainingOptions>): TrainingOptions => ({ ...DEFAULT_TRAINING, gradClip: 0, ...o });
const values = (params: ParameterSet, name: string) => Array.from(params.get(name).dataSync());

function run(o: TrainingOptions, lrs: number[], byVariableName = false) {
  const params = fixture();
  const opt = createOptimizer(o, params.list());
  lrs.forEach((lr, i) => {
    const grads = gradsAt(i);
    const keyed = byVariableName
      ? Object.fromEntries([...grads].map(([k, v]) => [params.list().find((p: Parameter) => p.name === k)!.variable.name, v]))
      : grads;
    opt.step(keyed, lr);
    tf.dispose([...grads.values()]);
  });
  return { params, opt };
}

/** Plain-JS reference of SGD/LARS with momentum for one parameter. */
function momentumRef(w0: number[], grads: number[][], lrs: number[], m: number, direction: (w: number[], g: number[]) => number[]) {
  let w = [...w0];
  let buf = w.map(() => 0);
  grads.forEach((g, s) => {
    const d = direction(w, g);
    buf = buf.map((b, i) => (s === 0 ? d[i]! : m * b + d[i]!));
    w = w.map((x, i) => x - lrs[s]! * buf[i]!);
  });
  return w;
}

test('SGD with momentum: PyTorch update, weight decay on weights only, buffers untouched', (t) => {
  const lrs = [0.1, 0.05, 0.2];
  const { params, opt } = run(opts({ optimizer: 'sgd', momentum: 0.9, weightDecay: 0.01 }), lrs);
  const decayed = (w: number[], g: number[]) => g.map((x, i) => x + 0.01 * w[i]!);
  const plain = (_: number[], g: number[]) => g;
  close(t, values(params, 'fc.weight'), momentumRef(W0, G.map((g) => g['m.fc.weight']), lrs, 0.9, decayed));
  close(t, values(params, 'fc.bias'), momentumRef(B0, G.map((g) => g['m.fc.bias']), lrs, 0.9, plain));
  close(t, values(params, 'bn.weight'), momentumRef(N0, G.map((g) => g['m.bn.weight']), lrs, 0.9, plain));
  t.deepEqual(values(params, 'bn.running_mean'), [3, 3]);
  t.deepEqual([...opt.state().keys()], ['optimizer.m.fc.weight.momentum', 'optimizer.m.fc.bias.momentum', 'optimizer.m.bn.weight.momentum']);
  opt.dispose();
  params.dispose();
});

test('gradients keyed by tf.Variable name (tf.variableGrads output) work the same', (t) => {
  const o = opts({ optimizer: 'sgd', momentum: 0.9, weightDecay: 0.01 });
  const a = run(o, [0.1, 0.1]);
  const b = run(o, [0.1, 0.1], true);
  t.deepEqual(values(a.params, 'fc.weight'), values(b.params, 'fc.weight'));
  t.deepEqual(values(a.params, 'bn.weight'), values(b.params, 'bn.weight'));
  for (const x of [a, b]) {
    x.opt.dispose();
    x.params.dispose();
  }
});

test('LARS: trust ratio on weights (solo-learn formula), bias and norm excluded from decay and adaptation', (t) => {
  const lrs = [0.4, 0.3, 0.2];
  const eta = 0.02;
  const wd = 1e-4;
  const { params, opt } = run(opts({ optimizer: 'lars', momentum: 0.9, weightDecay: wd, larsEta: eta, larsClipLr: false }), lrs);
  const lars = (w: number[], g: number[]) => {
    const trust = (eta * norm(w)) / (norm(g) + wd * norm(w) + 1e-8);
    return g.map((x, i) => (x + wd * w[i]!) * trust);
  };
  const plain = (_: number[], g: number[]) => g;
  close(t, values(params, 'fc.weight'), momentumRef(W0, G.map((g) => g['m.fc.weight']), lrs, 0.9, lars));
  close(t, values(params, 'fc.bias'), momentumRef(B0, G.map((g) => g['m.fc.bias']), lrs, 0.9, plain));
  close(t, values(params, 'bn.weight'), momentumRef(N0, G.map((g) => g['m.bn.weight']), lrs, 0.9, plain));
  // First step by hand: trust = 0.02·‖w‖/(‖g‖ + 1e-4·‖w‖), the weight moves by lr·trust·(g + wd·w).
  opt.dispose();
  params.dispose();
});

test('LARS with excludeBiasNorm off: biases and norm scales get the trust ratio and decay too (solo-learn exclude_bias_n_norm=False)', (t) => {
  const lrs = [0.4, 0.3, 0.2];
  const eta = 0.02;
  const wd = 1e-4;
  const o = opts({ optimizer: 'lars', momentum: 0.9, weightDecay: wd, larsEta: eta, larsClipLr: false, larsExcludeBiasNorm: false });
  const { params, opt } = run(o, lrs);
  const lars = (w: number[], g: number[]) => {
    const trust = (eta * norm(w)) / (norm(g) + wd * norm(w) + 1e-8);
    return g.map((x, i) => (x + wd * w[i]!) * trust);
  };
  for (const name of ['fc.weight', 'fc.bias', 'bn.weight'] as const) {
    const start = { 'fc.weight': W0, 'fc.bias': B0, 'bn.weight': N0 }[name];
    close(t, values(params, name), momentumRef(start, G.map((g) => g[`m.${name}`]), lrs, 0.9, lars));
  }
  // Adapted, the norm scale moves a small fraction of what it moves excluded (lr·g per step).
  const excluded = run({ ...o, larsExcludeBiasNorm: true }, lrs);
  const moved = (p: ParameterSet) => norm(values(p, 'bn.weight').map((x, i) => x - N0[i]!));
  t.true(moved(params) < 0.1 * moved(excluded.params), `moved ${moved(params)} vs ${moved(excluded.params)} excluded`);
  excluded.opt.dispose();
  excluded.params.dispose();
  t.deepEqual(values(params, 'bn.running_mean'), [3, 3]);
  opt.dispose();
  params.dispose();
});

test('LARS with clip_lr: trust ratio min(trust / lr, 1), so a step is never larger than plain SGD at lr', (t) => {
  // The middle lr is small enough that the clip binds there (trust / lr > 1), not at the others.
  const lrs = [0.4, 1e-4, 0.2];
  const eta = 0.02;
  const wd = 1e-4;
  const { params, opt } = run(opts({ optimizer: 'lars', momentum: 0.9, weightDecay: wd, larsEta: eta, larsClipLr: true }), lrs);
  let step = 0;
  let bound = 0;
  const lars = (w: number[], g: number[]) => {
    const trust = (eta * norm(w)) / (norm(g) + wd * norm(w) + 1e-8);
    const lr = lrs[step++]!;
    if (trust / lr >= 1) bound++;
    return g.map((x, i) => (x + wd * w[i]!) * Math.min(trust / lr, 1));
  };
  close(t, values(params, 'fc.weight'), momentumRef(W0, G.map((g) => g['m.fc.weight']), lrs, 0.9, lars));
  t.is(bound, 1, 'the clip binds at the small lr only');
  opt.dispose();
  params.dispose();
});

test('LARS: a zero weight or zero gradient skips adaptation and decay', (t) => {
  const params = new ParameterSet();
  params.add('w', tf.zeros([2]), 'weight');
  params.add('v', tf.tensor([1, 2]), 'weight');
  const opt = createOptimizer(opts({ optimizer: 'lars', momentum: 0, weightDecay: 0.5, larsEta: 0.02 }), params.list());
  const grads = { w: tf.tensor([1, -1]), v: tf.zeros([2]) };
  opt.step(grads, 0.1);
  close(t, values(params, 'w'), [-0.1, 0.1]); // trust 1, no decay
  close(t, values(params, 'v'), [1, 2]); // zero gradient: d = g = 0, no decay
  t.is(opt.state().size, 0, 'no momentum buffers without momentum');
  tf.dispose(Object.values(grads));
  opt.dispose();
  params.dispose();
});

test('AdamW: bias-corrected moments, decoupled decay on weights only', (t) => {
  const lrs = [0.01, 0.02, 0.005];
  const [b1, b2] = [0.9, 0.999];
  const wd = 0.05;
  const { params, opt } = run(opts({ optimizer: 'adamw', betas: [b1, b2], weightDecay: wd }), lrs);
  const ref = (w0: number[], grads: number[][], decay: boolean) => {
    let w = [...w0];
    let m = w.map(() => 0);
    let v = w.map(() => 0);
    grads.forEach((g, s) => {
      const step = s + 1;
      const lr = lrs[s]!;
      if (decay) w = w.map((x) => x * (1 - lr * wd));
      m = m.map((x, i) => b1 * x + (1 - b1) * g[i]!);
      v = v.map((x, i) => b2 * x + (1 - b2) * g[i]! ** 2);
      const bc1 = 1 - b1 ** step;
      const bc2 = 1 - b2 ** step;
      w = w.map((x, i) => x - (lr / bc1) * (m[i]! / (Math.sqrt(v[i]!) / Math.sqrt(bc2) + 1e-8)));
    });
    return w;
  };
  close(t, values(params, 'fc.weight'), ref(W0, G.map((g) => g['m.fc.weight']), true));
  close(t, values(params, 'fc.bias'), ref(B0, G.map((g) => g['m.fc.bias']), false));
  close(t, values(params, 'bn.weight'), ref(N0, G.map((g) => g['m.bn.weight']), false));
  t.deepEqual(Array.from(opt.state().get('optimizer.m.fc.weight.step')!.dataSync()), [3]);
  t.true(opt.state().has('optimizer.m.bn.weight.exp_avg_sq'));
  opt.dispose();
  params.dispose();
});

test('AdamW: a parameter without a gradient keeps its state and step count', (t) => {
  const params = fixture();
  const opt = createOptimizer(opts({ optimizer: 'adamw', weightDecay: 0.1 }), params.list());
  const g = tf.ones([2, 2]);
  opt.step({ 'm.fc.weight': g }, 0.1);
  t.deepEqual(values(params, 'fc.bias'), Array.from(new Float32Array(B0)));
  t.deepEqual(Array.from(opt.state().get('optimizer.m.fc.bias.step')!.dataSync()), [0]);
  t.deepEqual(Array.from(opt.state().get('optimizer.m.fc.weight.step')!.dataSync()), [1]);
  g.dispose();
  opt.dispose();
  params.dispose();
});

test('gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_', (t) => {
  const a = tf.tensor([3, 0]);
  const b = tf.tensor([0, 4]); // global norm 5
  const { grads, norm: n } = clipByGlobalNorm([a, b], 1);
  close(t, n.dataSync(), [5]);
  close(t, grads[0]!.dataSync(), [3 / (5 + 1e-6), 0]);
  close(t, grads[1]!.dataSync(), [0, 4 / (5 + 1e-6)]);
  const loose = clipByGlobalNorm([a, b], 10);
  close(t, loose.grads[1]!.dataSync(), [0, 4]);
  tf.dispose([a, b, n, ...grads, loose.norm, ...loose.grads]);

  // Through the optimiser: plain SGD, lr 1, the update equals the clipped gradient.
  const params = new ParameterSet();
  params.add('w', tf.zeros([2]), 'weight');
  params.add('b', tf.zeros([2]), 'bias');
  const opt = createOptimizer(opts({ optimizer: 'sgd', momentum: 0, weightDecay: 0, gradClip: 1 }), params.list());
  const g = { w: tf.tensor([3, 0]), b: tf.tensor([0, 4]) };
  opt.step(g, 1);
  close(t, values(params, 'w'), [-0.6, 0], 1e-5);
  close(t, values(params, 'b'), [0, -0.8], 1e-5);
  tf.dispose(Object.values(g));
  opt.dispose();
  params.dispose();
});

test('optimiser steps and disposal leave no tensors behind', (t) => {
  for (const optimizer of ['sgd', 'lars', 'adamw'] as const) {
    const params = fixture();
    const start = tf.memory().numTensors;
    const opt = createOptimizer(opts({ optimizer, gradClip: 0.5 }), params.list());
    const grads = gradsAt(0);
    opt.step(grads, 0.1);
    const afterOne = tf.memory().numTensors;
    opt.step(grads, 0.1);
    t.is(tf.memory().numTensors, afterOne, `${optimizer}: flat across steps`);
    tf.dispose([...grads.values()]);
    opt.dispose();
    t.is(tf.memory().numTensors, start, `${optimizer}: state disposed`);
    params.dispose();
  }
});

test('state variables are not trainable, so tf.variableGrads never differentiates them', (t) => {
  const params = fixture();
  const opt = createOptimizer(opts({ optimizer: 'adamw' }), params.list());
  t.true([...opt.state().values()].every((v) => !v.trainable));
  opt.dispose();
  params.dispose();
});

test('unknown optimiser is a user error', (t) => {
  t.throws(() => createOptimizer(opts({ optimizer: 'rmsprop' as 'sgd' }), []), { message: /unknown optimizer 'rmsprop'/ });
});

test('learning-rate schedule: warm-up start, peak at warm-up end, cosine to 0 at the end', (t) => {
  const s = { baseLr: 0.4, warmupSteps: 10, totalSteps: 110, warmupStartLr: 3e-5 };
  t.is(learningRateAt(0, s), 3e-5);
  close(t, [learningRateAt(5, s)], [3e-5 + (5 * (0.4 - 3e-5)) / 9]);
  close(t, [learningRateAt(9, s)], [0.4]);
  close(t, [learningRateAt(10, s)], [0.4]);
  close(t, [learningRateAt(60, s)], [0.2]); // half-way through the cosine
  close(t, [learningRateAt(109, s)], [0.2 * (1 + Math.cos(Math.PI * 99 / 100))]);
  t.is(learningRateAt(110, s), 0);
  t.is(learningRateAt(500, s), 0);
  // No warm-up: the cosine starts at the peak.
  t.is(learningRateAt(0, { ...s, warmupSteps: 0 }), 0.4);
  close(t, [learningRateAt(50, { ...s, finalLr: 0.1 })], [0.1 + 0.15 * (1 + Math.cos(Math.PI * 0.4))]);
  // Monotone over the warm-up, monotone down afterwards.
  for (let k = 1; k < 10; k++) t.true(learningRateAt(k, s) > learningRateAt(k - 1, s));
  for (let k = 11; k <= 110; k++) t.true(learningRateAt(k, s) < learningRateAt(k - 1, s));
});

test('scaledLr and the schedule a run derives from TrainingOptions', (t) => {
  t.is(scaledLr(0.4, 512), 0.8);
  t.is(scaledLr(1.0, 128), 0.5);
  const s = scheduleFromOptions(DEFAULT_TRAINING, { batchSize: 128, stepsPerEpoch: 100, epochs: 200 });
  t.deepEqual(s, { baseLr: 0.2, warmupSteps: 1000, totalSteps: 20000, warmupStartLr: 3e-5, finalLr: 0 });
  const noWarm = scheduleFromOptions({ ...DEFAULT_TRAINING, warmupEpochs: 0, scaleLr: false }, { batchSize: 128, stepsPerEpoch: 10, epochs: 2 });
  t.is(noWarm.warmupStartLr, 0.4);
  t.is(noWarm.baseLr, 0.4);
});

test('EMA momentum: base at step 0, (base+final)/2 half-way, final at the end', (t) => {
  close(t, [emaMomentum(0, 1000, 0.99)], [0.99], 1e-12);
  close(t, [emaMomentum(500, 1000, 0.99)], [0.995], 1e-12);
  close(t, [emaMomentum(1000, 1000, 0.99)], [1], 1e-12);
  close(t, [emaMomentum(250, 1000, 0.9995)], [1 - 0.0005 * (Math.cos(Math.PI / 4) + 1) / 2], 1e-12);
  close(t, [emaMomentum(0, 100, 0.5, 0.9)], [0.5], 1e-12);
});

test('emaUpdate: target ← τ·target + (1−τ)·online, in place, no leaks', (t) => {
  const target = [tf.variable(tf.tensor([1, 2]), false), tf.variable(tf.tensor([[0, 10]]), false)];
  const online = [tf.tensor([3, 4]), tf.tensor([[10, 0]])];
  const before = tf.memory().numTensors;
  emaUpdate(target, online, 0.9);
  t.is(tf.memory().numTensors, before);
  close(t, target[0]!.dataSync(), [0.9 * 1 + 0.1 * 3, 0.9 * 2 + 0.1 * 4]);
  close(t, target[1]!.dataSync(), [1, 9]);
  emaUpdate(target, online, 0.5);
  close(t, target[0]!.dataSync(), [0.5 * 1.2 + 1.5, 0.5 * 2.2 + 2]);
  t.throws(() => emaUpdate(target, [online[0]!], 0.5), { message: /2 target tensors but 1 online/ });
  tf.dispose([...target, ...online]);
});

test('a gradient of the wrong shape is named in the error', (t) => {
  const params = fixture();
  const opt = createOptimizer(opts({ optimizer: 'sgd' }), params.list());
  const g = tf.zeros([4]);
  t.throws(() => opt.step({ 'm.fc.weight': g }, 0.1), { message: /gradient of m\.fc\.weight has shape \[4\], parameter has \[2, 2\]/ });
  g.dispose();
  opt.dispose();
  params.dispose();
});

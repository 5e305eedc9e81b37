import * as tf from '@tensorflow/tfjs-core';
import type { ProgressListener } from '../progress.js';
import type { Rng } from '../rng.js';

export type ProbeOptimizer = 'adam' | 'sgd';

export interface LinearClassifierOptions {
  epochs: number;
  batchSize: number;
  /** Peak learning rate; it follows a cosine from here to 0 over all steps. */
  lr: number;
  /** L2 penalty coefficient (added to the gradient, as PyTorch's `weight_decay`). */
  weightDecay: number;
  /** 'adam' (default) or 'sgd' with momentum 0.9. */
  optimizer?: ProbeOptimizer;
  /** Shuffles the mini-batches. */
  rng: Rng;
  progress?: ProgressListener;
}

/** A trained softmax regression y = x·W + b. */
export interface LinearClassifier {
  readonly weight: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
  /** Logits [N, classes] (a new tensor; the caller disposes it). */
  logits(x: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

const MOMENTUM = 0.9;
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/** A zero-filled variable (tf.variable keeps its own reference, so the initial tensor goes). */
function zeroVariable(shape: number[]): tf.Variable {
  const initial = tf.zeros(shape);
  const variable = tf.variable(initial, false);
  initial.dispose();
  return variable;
}

/**
 * Multinomial logistic regression on precomputed features [N, D]: mini-batch cross-entropy,
 * cosine learning rate, weights initialised to zero (the problem is convex, so there is
 * nothing to break by symmetry). The gradient is the closed form Xᵀ(softmax − onehot)/B, so no
 * tape is needed and each step is two small matMuls.
 */
export async function trainLinearClassifier(
  x: tf.Tensor2D,
  labels: Int32Array,
  classes: number,
  options: LinearClassifierOptions,
): Promise<LinearClassifier> {
  const [n, d] = x.shape;
  if (labels.length !== n) throw new Error(`trainLinearClassifier: ${n} feature rows but ${labels.length} labels`);
  if (n === 0) throw new Error('trainLinearClassifier: no training rows');
  for (const y of labels) {
    if (!(y >= 0 && y < classes)) throw new Error(`trainLinearClassifier: label ${y} is outside 0..${classes - 1}`);
  }
  const optimizer = options.optimizer ?? 'adam';
  const batchSize = Math.min(options.batchSize, n);
  const batchesPerEpoch = Math.ceil(n / batchSize);
  const totalSteps = options.epochs * batchesPerEpoch;

  // Batches are assembled in JS from one read of x: gather/slice kernels cost more than the
  // whole step on wasm. Each batch is written twice, as rows and as columns, for x·W and xᵀ·δ.
  const data = (await x.data()) as Float32Array;
  const weight = zeroVariable([d, classes]);
  const bias = zeroVariable([classes]);
  // First and second moments (Adam) or velocity (SGD, second unused).
  const state = [weight, bias].map((param) => ({
    param,
    m: zeroVariable(param.shape),
    v: zeroVariable(param.shape),
  }));

  let step = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = options.rng.permutation(n);
    for (let start = 0; start < n; start += batchSize) {
      const rows = order.subarray(start, Math.min(start + batchSize, n));
      const b = rows.length;
      const xRows = new Float32Array(b * d);
      const xCols = new Float32Array(d * b);
      const target = new Float32Array(b * classes);
      for (let r = 0; r < b; r++) {
        const src = rows[r]! * d;
        xRows.set(data.subarray(src, src + d), r * d);
        for (let k = 0; k < d; k++) xCols[k * b + r] = data[src + k]!;
        target[r * classes + labels[rows[r]!]!] = 1;
      }
      const lr = 0.5 * options.lr * (1 + Math.cos((Math.PI * step) / totalSteps));
      step++;
      tf.tidy(() => {
        const xb = tf.tensor2d(xRows, [b, d]);
        const probs = tf.softmax(tf.add(tf.matMul(xb, weight), bias));
        // δ = (softmax − onehot)/B is d(mean cross-entropy)/d(logits).
        const delta = tf.div(tf.sub(probs, tf.tensor2d(target, [b, classes])), b);
        const grads = [
          tf.add(tf.matMul(tf.tensor2d(xCols, [d, b]), delta), tf.mul(weight, options.weightDecay)),
          tf.sum(delta, 0), // no penalty on the bias
        ];
        state.forEach((s, i) => {
          const g = grads[i]!;
          if (optimizer === 'sgd') {
            s.m.assign(tf.add(tf.mul(s.m, MOMENTUM), g));
            s.param.assign(tf.sub(s.param, tf.mul(s.m, lr)));
          } else {
            s.m.assign(tf.add(tf.mul(s.m, BETA1), tf.mul(g, 1 - BETA1)));
            s.v.assign(tf.add(tf.mul(s.v, BETA2), tf.mul(tf.square(g), 1 - BETA2)));
            const mHat = tf.div(s.m, 1 - BETA1 ** step);
            const vHat = tf.div(s.v, 1 - BETA2 ** step);
            s.param.assign(tf.sub(s.param, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), EPSILON)), lr)));
          }
        });
      });
    }
    options.progress?.({ phase: 'linear probe', epoch: epoch + 1, epochs: options.epochs, step, steps: totalSteps });
    // Let the event loop breathe between epochs so progress can render.
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (const s of state) tf.dispose([s.m, s.v]);

  return {
    weight: weight as tf.Tensor2D,
    bias: bias as tf.Tensor1D,
    logits: (features) => tf.tidy(() => tf.add(tf.matMul(features, weight), bias) as tf.Tensor2D),
    dispose: () => tf.dispose([weight, bias]),
  };
}

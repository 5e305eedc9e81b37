// RoIAlign against a float64 transcription of torchvision's roi_align loop, its gradient against
// central differences of that reference, and (when /usr/bin/python3 has torchvision) against
// torchvision.ops.roi_align itself, forward and backward.
import { spawnSync } from 'node:child_process';
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@sempair/core';
import { planRoiAlign, roiAlign, type RoiAlignOptions } from '../src/model/roi-align.js';

test.before(async () => {
  await initBackend('wasm');
});

/** torchvision's roi_align_forward_kernel_impl, per sample, in float64 (NHWC). */
function reference(features: Float64Array, shape: number[], boxes: number[], batch: number[], o: RoiAlignOptions): Float64Array {
  const [, height, width, channels] = shape as [number, number, number, number];
  const p = o.outputSize;
  const out = new Float64Array(batch.length * p * p * channels);
  const at = (n: number, y: number, x: number, c: number) => features[((n * height + y) * width + x) * channels + c]!;
  const bilinear = (n: number, yIn: number, xIn: number, c: number): number => {
    let y = yIn;
    let x = xIn;
    if (y < -1 || y > height || x < -1 || x > width) return 0;
    if (y <= 0) y = 0;
    if (x <= 0) x = 0;
    let yLow = Math.trunc(y);
    let xLow = Math.trunc(x);
    let yHigh: number;
    let xHigh: number;
    if (yLow >= height - 1) {
      yHigh = yLow = height - 1;
      y = yLow;
    } else yHigh = yLow + 1;
    if (xLow >= width - 1) {
      xHigh = xLow = width - 1;
      x = xLow;
    } else xHigh = xLow + 1;
    const ly = y - yLow;
    const lx = x - xLow;
    const hy = 1 - ly;
    const hx = 1 - lx;
    return hy * hx * at(n, yLow, xLow, c) + hy * lx * at(n, yLow, xHigh, c) + ly * hx * at(n, yHigh, xLow, c) + ly * lx * at(n, yHigh, xHigh, c);
  };
  const off = o.aligned ? 0.5 : 0;
  batch.forEach((n, r) => {
    const sw = boxes[4 * r]! * o.spatialScale - off;
    const sh = boxes[4 * r + 1]! * o.spatialScale - off;
    let rw = boxes[4 * r + 2]! * o.spatialScale - off - sw;
    let rh = boxes[4 * r + 3]! * o.spatialScale - off - sh;
    if (!o.aligned) {
      rw = Math.max(rw, 1);
      rh = Math.max(rh, 1);
    }
    const bh = rh / p;
    const bw = rw / p;
    const gh = o.samplingRatio > 0 ? o.samplingRatio : Math.ceil(rh / p);
    const gw = o.samplingRatio > 0 ? o.samplingRatio : Math.ceil(rw / p);
    const count = Math.max(gh * gw, 1);
    for (let ph = 0; ph < p; ph++) {
      for (let pw = 0; pw < p; pw++) {
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (let iy = 0; iy < gh; iy++) {
            const y = sh + ph * bh + ((iy + 0.5) * bh) / gh;
            for (let ix = 0; ix < gw; ix++) sum += bilinear(n, y, sw + pw * bw + ((ix + 0.5) * bw) / gw, c);
          }
          out[((r * p + ph) * p + pw) * channels + c] = sum / count;
        }
      }
    }
  });
  return out;
}

const SHAPE = [2, 5, 7, 3];
// Image coordinates at stride 4 (the map covers 28×20 pixels): inside, straddling every edge,
// wholly outside, sub-pixel, larger than the map (adaptive grid > 1), and degenerate (zero width).
const BOXES = [
  [3, 2, 17, 15], [-6, -5, 9, 8], [20, 12, 34, 26], [-12, -12, -6, -2], [5.3, 6.1, 6.2, 7.4],
  [-4, -3, 40, 30], [10, 4, 10, 12], [0, 0, 28, 20],
];
const BATCH = [0, 1, 0, 1, 1, 0, 1, 0];

function features(seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: SHAPE.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1));
}

const VARIANTS: Array<[string, RoiAlignOptions]> = [
  ['aligned, adaptive grid (ROIAlignV2)', { outputSize: 3, spatialScale: 0.25, samplingRatio: 0, aligned: true }],
  ['aligned, 2×2 grid', { outputSize: 4, spatialScale: 0.25, samplingRatio: 2, aligned: true }],
  ['not aligned, adaptive grid', { outputSize: 2, spatialScale: 0.25, samplingRatio: 0, aligned: false }],
];

function close(t: import('ava').ExecutionContext, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  t.is(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  t.true(worst < tol, `${what}: max |difference| ${worst}`);
}

for (const [name, options] of VARIANTS) {
  test(`forward matches the float64 reference: ${name}`, (t) => {
    const f = features(1);
    const plan = planRoiAlign(BOXES.flat(), BATCH, [SHAPE[0]!, SHAPE[1]!, SHAPE[2]!], options);
    const out = tf.tidy(() => roiAlign(tf.tensor4d(Float32Array.from(f), SHAPE as [number, number, number, number]), plan));
    t.deepEqual(out.shape, [BOXES.length, options.outputSize, options.outputSize, SHAPE[3]]);
    const expected = reference(f, SHAPE, BOXES.flat(), BATCH, options);
    close(t, out.dataSync(), expected, 1e-5, 'output');
    // A box wholly outside the map reads nothing; a zero-width box with aligned=true has no samples.
    const p2 = options.outputSize ** 2 * SHAPE[3]!;
    t.true(expected.slice(3 * p2, 4 * p2).every((v) => v === 0));
    t.true(expected.slice(0, p2).some((v) => v !== 0));
    out.dispose();
  });

  test(`gradient w.r.t. the features matches central differences of the reference: ${name}`, (t) => {
    const f = features(2);
    const rng = new Rng(3);
    const outSize = BOXES.length * options.outputSize ** 2 * SHAPE[3]!;
    const g = Float64Array.from({ length: outSize }, () => rng.uniform(-1, 1));
    const plan = planRoiAlign(BOXES.flat(), BATCH, [SHAPE[0]!, SHAPE[1]!, SHAPE[2]!], options);
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(Float32Array.from(f), SHAPE as [number, number, number, number]);
    const gT = tf.tensor4d(Float32Array.from(g), [BOXES.length, options.outputSize, options.outputSize, SHAPE[3]!]);
    const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(roiAlign(v as tf.Tensor4D, plan), gT)))(x);
    const loss = (v: Float64Array) => reference(v, SHAPE, BOXES.flat(), BATCH, options).reduce((s, o, i) => s + o * g[i]!, 0);
    const h = 1e-3;
    const numeric = new Float64Array(f.length);
    for (let i = 0; i < f.length; i++) {
      const up = Float64Array.from(f);
      const down = Float64Array.from(f);
      up[i] += h;
      down[i] -= h;
      numeric[i] = (loss(up) - loss(down)) / (2 * h);
    }
    close(t, grad.dataSync(), numeric, 1e-4, 'gradient');
    t.true(numeric.some((v) => Math.abs(v) > 0.1), 'the gradient is not trivially zero');
    tf.dispose([x, gT, grad]);
    t.is(tf.memory().numTensors, before, 'no tensor is left behind');
  });
}

test('adaptive sampling: a box much larger than the output grid averages several samples per bin', (t) => {
  const plan = planRoiAlign([0, 0, 28, 20], [0], [1, 5, 7], { outputSize: 2, spatialScale: 0.25, samplingRatio: 0, aligned: true });
  // 7 columns / 2 bins → ceil(3.5) = 4 samples per bin side: more than 4 distinct taps per bin.
  t.true(plan.slots > 4, `slots ${plan.slots}`);
  const perBin = plan.weights.reduce((s, w) => s + w[0]!, 0);
  t.true(Math.abs(perBin - 1) < 1e-6, 'the weights of a bin fully inside the map sum to 1');
});

const hasTorchvision = spawnSync('/usr/bin/python3', ['-c', 'import torchvision.ops'], { stdio: 'ignore' }).status === 0;

const TORCH_SCRIPT = `
import json, sys, torch
from torchvision.ops import roi_align
d = json.load(sys.stdin)
n, h, w, c = d['shape']
x = torch.tensor(d['features'], dtype=torch.float64).reshape(n, h, w, c).permute(0, 3, 1, 2).contiguous().requires_grad_(True)
rois = torch.tensor([[b] + box for b, box in zip(d['batch'], d['boxes'])], dtype=torch.float64)
o = d['options']
y = roi_align(x, rois, o['outputSize'], o['spatialScale'], o['samplingRatio'], o['aligned'])
g = torch.tensor(d['g'], dtype=torch.float64).reshape(y.shape[0], y.shape[2], y.shape[3], c).permute(0, 3, 1, 2)
(y * g).sum().backward()
print(json.dumps({'out': y.permute(0, 2, 3, 1).reshape(-1).tolist(), 'grad': x.grad.permute(0, 2, 3, 1).reshape(-1).tolist()}))
`;

for (const [name, options] of VARIANTS) {
  (hasTorchvision ? test : test.skip)(`forward and gradient match torchvision.ops.roi_align: ${name}${hasTorchvision ? '' : ' (needs /usr/bin/python3 with torchvision: apt-get install python3-torchvision)'}`, (t) => {
    const f = features(4);
    const rng = new Rng(5);
    const g = Array.from({ length: BOXES.length * options.outputSize ** 2 * SHAPE[3]! }, () => rng.uniform(-1, 1));
    const run = spawnSync('/usr/bin/python3', ['-c', TORCH_SCRIPT], {
      input: JSON.stringify({ shape: SHAPE, features: Array.from(f), boxes: BOXES, batch: BATCH, options, g }),
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
    const torch = JSON.parse(run.stdout) as { out: number[]; grad: number[] };
    const plan = planRoiAlign(BOXES.flat(), BATCH, [SHAPE[0]!, SHAPE[1]!, SHAPE[2]!], options);
    const x = tf.tensor4d(Float32Array.from(f), SHAPE as [number, number, number, number]);
    const gT = tf.tensor4d(g, [BOXES.length, options.outputSize, options.outputSize, SHAPE[3]!]);
    const out = roiAlign(x, plan);
    const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(roiAlign(v as tf.Tensor4D, plan), gT)))(x);
    close(t, out.dataSync(), torch.out, 1e-5, 'output');
    close(t, grad.dataSync(), torch.grad, 1e-5, 'gradient');
    tf.dispose([x, gT, out, grad]);
  });
}

// Each augmentation op against an independent per-pixel JS computation on small tensors.
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../src/rng.js';
import { flipImages } from '../src/augment/flip.js';
import { grayscaleImages, LUMA } from '../src/augment/grayscale.js';
import { solarizeImages } from '../src/augment/solarize.js';
import { normalizeImages, IMAGENET_MEAN, IMAGENET_STD } from '../src/augment/normalize.js';
import { adjustBrightness, adjustContrast, adjustSaturation, colorJitter, drawJitterParams } from '../src/augment/color-jitter.js';
import { adjustHue } from '../src/augment/hue.js';
import { perImage } from '../src/augment/per-image.js';
import { cropAndResizeBoxes, randomResizedCrop, resize, sampleCropBox } from '../src/augment/random-resized-crop.js';
import { rotateImages } from '../src/augment/rotate.js';
import { blurImages, blurKernelSize, gaussianKernel1d } from '../src/augment/gaussian-blur.js';

test.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

const f32 = Math.fround;

/** A batch of B×H×W×3 random pixels in [0, 1], plus its plain array. */
function batch(b: number, h: number, w: number, seed = 1, c = 3): { x: tf.Tensor4D; data: Float32Array } {
  const rng = new Rng(seed);
  const data = Float32Array.from({ length: b * h * w * c }, () => rng.next());
  return { x: tf.tensor4d(data, [b, h, w, c]), data };
}

const at = (shape: readonly number[], b: number, y: number, x: number, c: number): number =>
  ((b * shape[1]! + y) * shape[2]! + x) * shape[3]! + c;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Applies `pixel(b, r, g, b) → [r, g, b]` to every pixel: the reference shape of most colour ops. */
function perPixel(data: Float32Array, fn: (n: number, r: number, g: number, b: number) => number[], hw: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let p = 0; p < data.length / 3; p++) {
    const rgb = fn(Math.floor(p / hw), data[3 * p]!, data[3 * p + 1]!, data[3 * p + 2]!);
    out.set(rgb.map(f32), 3 * p);
  }
  return out;
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));
const grayOf = (r: number, g: number, b: number): number =>
  f32(f32(f32(r * f32(LUMA[0])) + f32(g * f32(LUMA[1]))) + f32(b * f32(LUMA[2])));

test('flip mirrors exactly the masked images', (t) => {
  const { x, data } = batch(3, 4, 5);
  const mask = [true, false, true];
  const out = flipImages(x, mask).dataSync();
  const expected = new Float32Array(data.length);
  for (let b = 0; b < 3; b++)
    for (let y = 0; y < 4; y++)
      for (let xx = 0; xx < 5; xx++)
        for (let c = 0; c < 3; c++)
          expected[at(x.shape, b, y, xx, c)] = data[at(x.shape, b, y, mask[b] ? 4 - xx : xx, c)]!;
  t.deepEqual(Array.from(out), Array.from(expected));
});

test('grayscale is the 601-2 luma in three channels, exactly, on masked images only', (t) => {
  const { x, data } = batch(2, 3, 3);
  const out = grayscaleImages(x, [true, false]).dataSync();
  const expected = perPixel(data, (n, r, g, b) => (n === 0 ? [grayOf(r, g, b), grayOf(r, g, b), grayOf(r, g, b)] : [r, g, b]), 9);
  t.deepEqual(Array.from(out), Array.from(expected));
});

test('solarize inverts pixels ≥ threshold exactly, on masked images only', (t) => {
  const { x, data } = batch(2, 4, 4);
  data[0] = 0.5; // the boundary counts as ≥
  const x2 = tf.tensor4d(data, x.shape);
  const out = solarizeImages(x2, [true, false], 0.5).dataSync();
  const expected = data.map((v, i) => (i < 48 && v >= 0.5 ? f32(1 - v) : v));
  t.deepEqual(Array.from(out), Array.from(expected));
  t.is(out[0], 0.5);
});

test('normalize matches (x − mean) / std per channel', (t) => {
  const { x, data } = batch(2, 3, 3);
  const out = normalizeImages(x, { type: 'normalize', mean: IMAGENET_MEAN, std: IMAGENET_STD }).dataSync();
  const expected = data.map((v, i) => (v - IMAGENET_MEAN[i % 3]!) / IMAGENET_STD[i % 3]!);
  t.true(maxAbsDiff(out, expected) < 1e-6);
});

test('brightness, contrast and saturation follow torchvision within 1e-5', (t) => {
  const { x, data } = batch(3, 5, 5);
  const factors = [0.3, 1.0, 1.7];
  const hw = 25;
  const b = adjustBrightness(x, perImage(factors)).dataSync();
  t.true(maxAbsDiff(b, perPixel(data, (n, r, g, bb) => [r, g, bb].map((v) => clamp01(v * factors[n]!)), hw)) < 1e-5);

  const means = [0, 1, 2].map((n) => {
    let s = 0;
    for (let p = 0; p < hw; p++) {
      const i = 3 * (n * hw + p);
      s += 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
    }
    return s / hw;
  });
  const c = adjustContrast(x, perImage(factors)).dataSync();
  const cRef = perPixel(data, (n, r, g, bb) => [r, g, bb].map((v) => clamp01(factors[n]! * v + (1 - factors[n]!) * means[n]!)), hw);
  t.true(maxAbsDiff(c, cRef) < 1e-5);

  const s = adjustSaturation(x, perImage(factors)).dataSync();
  const sRef = perPixel(data, (n, r, g, bb) => {
    const l = 0.299 * r + 0.587 * g + 0.114 * bb;
    return [r, g, bb].map((v) => clamp01(factors[n]! * v + (1 - factors[n]!) * l));
  }, hw);
  t.true(maxAbsDiff(s, sRef) < 1e-5);
});

/** torchvision's _rgb2hsv / _hsv2rgb / adjust_hue, per pixel. */
function hueShiftReference(r: number, g: number, b: number, shift: number): number[] {
  const maxc = Math.max(r, g, b);
  const minc = Math.min(r, g, b);
  const eqc = maxc === minc;
  const cr = maxc - minc;
  const s = cr / (eqc ? 1 : maxc);
  const d = eqc ? 1 : cr;
  const rc = (maxc - r) / d;
  const gc = (maxc - g) / d;
  const bc = (maxc - b) / d;
  const hr = maxc === r ? bc - gc : 0;
  const hg = maxc === g && maxc !== r ? 2 + rc - bc : 0;
  const hb = maxc !== g && maxc !== r ? 4 + gc - rc : 0;
  const h0 = ((hr + hg + hb) / 6 + 1) % 1;
  const h = (((h0 + shift) % 1) + 1) % 1;
  const i = Math.floor(h * 6) % 6;
  const fr = h * 6 - Math.floor(h * 6);
  const p = clamp01(maxc * (1 - s));
  const q = clamp01(maxc * (1 - s * fr));
  const tt = clamp01(maxc * (1 - s * (1 - fr)));
  return [[maxc, q, p, p, tt, maxc][i]!, [tt, maxc, maxc, q, p, p][i]!, [p, p, tt, maxc, maxc, q][i]!];
}

test('hue shift follows torchvision (HSV) within 1e-5, gray pixels and ties included', (t) => {
  const { data } = batch(4, 6, 6);
  for (let p = 0; p < 10; p++) data[3 * p + 1] = data[3 * p]!; // r = g ties
  for (let p = 10; p < 16; p++) data.fill(data[3 * p]!, 3 * p, 3 * p + 3); // gray
  const x = tf.tensor4d(data, [4, 6, 6, 3]);
  const shifts = [0.5, -0.5, 0, 0.13];
  const out = adjustHue(x, perImage(shifts)).dataSync();
  t.true(maxAbsDiff(out, perPixel(data, (n, r, g, b) => hueShiftReference(r, g, b, shifts[n]!), 36)) < 1e-5);
});

test('colour jitter applies the four adjustments in the drawn order', (t) => {
  const { x, data } = batch(2, 4, 4);
  const params = drawJitterParams(2, { type: 'jitter', brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2, p: 1 }, new Rng(5));
  t.deepEqual([...params.order].sort(), ['brightness', 'contrast', 'hue', 'saturation']);
  const out = colorJitter(x, params).dataSync();
  // reference: the same order, per image, in float64
  const hw = 16;
  let ref = Float64Array.from(data);
  for (const op of params.order) {
    const next = new Float64Array(ref.length);
    for (let n = 0; n < 2; n++) {
      let mean = 0;
      for (let p = 0; p < hw; p++) {
        const i = 3 * (n * hw + p);
        mean += (0.299 * ref[i]! + 0.587 * ref[i + 1]! + 0.114 * ref[i + 2]!) / hw;
      }
      for (let p = 0; p < hw; p++) {
        const i = 3 * (n * hw + p);
        const [r, g, b] = [ref[i]!, ref[i + 1]!, ref[i + 2]!];
        const l = 0.299 * r + 0.587 * g + 0.114 * b;
        let rgb: number[];
        if (op === 'brightness') rgb = [r, g, b].map((v) => clamp01(v * params.brightness[n]!));
        else if (op === 'contrast') rgb = [r, g, b].map((v) => clamp01(params.contrast[n]! * v + (1 - params.contrast[n]!) * mean));
        else if (op === 'saturation') rgb = [r, g, b].map((v) => clamp01(params.saturation[n]! * v + (1 - params.saturation[n]!) * l));
        else rgb = hueShiftReference(r, g, b, params.hue[n]!);
        next.set(rgb, i);
      }
    }
    ref = next;
  }
  t.true(maxAbsDiff(out, ref) < 1e-5);
});

test('jitter draws factors in torchvision ranges and neutral ones where not applied', (t) => {
  const step = { type: 'jitter' as const, brightness: 0.4, contrast: 0.8, saturation: 2, hue: 0.1, p: 0.5 };
  const params = drawJitterParams(500, step, new Rng(9));
  let applied = 0;
  for (let n = 0; n < 500; n++) {
    const neutral = params.brightness[n] === 1 && params.contrast[n] === 1 && params.saturation[n] === 1 && params.hue[n] === 0;
    if (!neutral) applied++;
    t.true(params.brightness[n]! >= 0.6 - 1e-6 && params.brightness[n]! <= 1.4 + 1e-6);
    t.true(params.contrast[n]! >= 0.2 - 1e-6 && params.contrast[n]! <= 1.8 + 1e-6);
    t.true(params.saturation[n]! >= 0 && params.saturation[n]! <= 3 + 1e-6);
    t.true(Math.abs(params.hue[n]!) <= 0.1 + 1e-6);
  }
  t.true(applied > 200 && applied < 300, `applied ${applied} of 500`);
});

/** Bilinear sample of image b at a continuous (y, x), coordinates clamped to the image. */
function bilinear(data: Float32Array, shape: number[], b: number, y: number, x: number, c: number): number {
  const [, h, w] = shape as [number, number, number];
  const cy = Math.min(Math.max(y, 0), h - 1);
  const cx = Math.min(Math.max(x, 0), w - 1);
  const y0 = Math.floor(cy);
  const x0 = Math.floor(cx);
  const y1 = Math.min(y0 + 1, h - 1);
  const x1 = Math.min(x0 + 1, w - 1);
  const fy = cy - y0;
  const fx = cx - x0;
  const v = (yy: number, xx: number) => data[at(shape, b, yy, xx, c)]!;
  return (1 - fy) * ((1 - fx) * v(y0, x0) + fx * v(y0, x1)) + fy * ((1 - fx) * v(y1, x0) + fx * v(y1, x1));
}

test('a crop box is resized with torch bilinear convention (half-pixel centres)', (t) => {
  const { x, data } = batch(2, 7, 9);
  const boxes = [
    { i: 1, j: 2, h: 4, w: 3 },
    { i: 0, j: 0, h: 7, w: 9 },
  ];
  const size = 5;
  const out = cropAndResizeBoxes(x, boxes, size).dataSync();
  const expected: number[] = [];
  boxes.forEach((box, b) => {
    for (let oy = 0; oy < size; oy++)
      for (let ox = 0; ox < size; ox++)
        for (let c = 0; c < 3; c++)
          expected.push(
            bilinear(data, x.shape, b, box.i + ((oy + 0.5) * box.h) / size - 0.5, box.j + ((ox + 0.5) * box.w) / size - 0.5, c),
          );
  });
  t.true(maxAbsDiff(out, expected) < 1e-5);
});

test('crop with scale (1, 1) and ratio (1, 1) equals a plain resize', (t) => {
  const { x } = batch(3, 12, 12);
  for (const size of [12, 7, 20]) {
    const crop = randomResizedCrop(x, { type: 'crop', size, scale: [1, 1], ratio: [1, 1] }, new Rng(1)).dataSync();
    t.true(maxAbsDiff(crop, tf.image.resizeBilinear(x, [size, size], false, true).dataSync()) < 1e-5);
    t.true(maxAbsDiff(crop, resize(x, size).dataSync()) < 1e-5);
  }
});

test('crop boxes follow RandomResizedCrop: inside the image, area and ratio in range, centre fallback', (t) => {
  const rng = new Rng(3);
  for (let k = 0; k < 300; k++) {
    const box = sampleCropBox(32, 48, [0.08, 1], [3 / 4, 4 / 3], rng);
    t.true(box.i >= 0 && box.j >= 0 && box.i + box.h <= 32 && box.j + box.w <= 48);
    const area = (box.h * box.w) / (32 * 48);
    t.true(area > 0.06 && area <= 1, `area ${area}`);
  }
  // 2:1 never fits a square at full area: centre crop clamped to the ratio range
  t.deepEqual(sampleCropBox(10, 10, [1, 1], [2, 2], rng), { i: 2, j: 0, h: 5, w: 10 });
  t.deepEqual(sampleCropBox(10, 10, [1, 1], [1, 1], rng), { i: 0, j: 0, h: 10, w: 10 });
});

test('rotation by 90° turns the content counter-clockwise; angle 0 leaves an image exactly', (t) => {
  const n = 5;
  const { x, data } = batch(2, n, n);
  const out = rotateImages(x, [90, 0]).dataSync();
  const expected = new Float32Array(data.length);
  for (let y = 0; y < n; y++)
    for (let xx = 0; xx < n; xx++)
      for (let c = 0; c < 3; c++) {
        expected[at(x.shape, 0, y, xx, c)] = data[at(x.shape, 0, xx, n - 1 - y, c)]!;
        expected[at(x.shape, 1, y, xx, c)] = data[at(x.shape, 1, y, xx, c)]!;
      }
  t.true(maxAbsDiff(out, expected) < 1e-5);
  t.deepEqual(Array.from(out.slice(n * n * 3)), Array.from(data.slice(n * n * 3)));
});

test('rotation fills corners with zero by default, or reflects', (t) => {
  const ones = tf.ones([1, 9, 9, 3]) as tf.Tensor4D;
  t.is(rotateImages(ones, [45]).dataSync()[0], 0);
  t.true(Math.abs(rotateImages(ones, [45], 'reflect').dataSync()[0]! - 1) < 1e-6);
});

test('Gaussian kernels sum to 1; kernel size is 10% of the side, odd, at least 3', (t) => {
  for (const sigma of [0.1, 0.7, 2]) {
    const k = gaussianKernel1d(7, sigma);
    t.true(Math.abs(k.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    t.true(k[3]! >= k[2]! && k[2]! >= k[1]! && Math.abs(k[0]! - k[6]!) < 1e-9);
  }
  t.deepEqual([8, 32, 64, 96, 224].map(blurKernelSize), [3, 3, 7, 9, 23]);
});

test('blur keeps a constant image constant and leaves σ 0 images untouched', (t) => {
  const flat = tf.fill([2, 16, 16, 3], 0.37) as tf.Tensor4D;
  const out = blurImages(flat, [1.3, 2]).dataSync();
  t.true(maxAbsDiff(out, new Float32Array(out.length).fill(0.37)) < 1e-6);
  const { x, data } = batch(2, 16, 16);
  const mixed = blurImages(x, [1, 0]).dataSync();
  t.deepEqual(Array.from(mixed.slice(768)), Array.from(data.slice(768)));
});

test('blur equals a reflect-padded 2-D Gaussian convolution (3 taps at 16 px, 7 at 64 px)', (t) => {
  for (const side of [16, 64]) {
    const { x, data } = batch(2, side, side, side);
    const sigmas = [0.8, 1.9];
    const out = blurImages(x, sigmas).dataSync();
    const k = blurKernelSize(side);
    const half = (k - 1) / 2;
    const reflect = (i: number) => (i < 0 ? -i : i >= side ? 2 * side - 2 - i : i);
    let worst = 0;
    for (let b = 0; b < 2; b++) {
      const w = gaussianKernel1d(k, sigmas[b]!);
      for (let y = 0; y < side; y += 5)
        for (let xx = 0; xx < side; xx += 3)
          for (let c = 0; c < 3; c++) {
            let s = 0;
            for (let dy = -half; dy <= half; dy++)
              for (let dx = -half; dx <= half; dx++)
                s += w[dy + half]! * w[dx + half]! * data[at(x.shape, b, reflect(y + dy), reflect(xx + dx), c)]!;
            worst = Math.max(worst, Math.abs(s - out[at(x.shape, b, y, xx, c)]!));
          }
    }
    t.true(worst < 1e-5, `side ${side}: ${worst}`);
  }
});

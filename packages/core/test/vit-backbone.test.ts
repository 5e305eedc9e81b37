import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/index.js';
import {
  VisionTransformer,
  bicubicResizeMatrix,
  builtinBackbones,
  posEmbedResizeMatrix,
  vitSmallDefinition,
  vitTinyDefinition,
  type BackboneDefinition,
  type VitConfig,
} from '../src/backbones/index.js';
import { isUserError } from '../src/errors.js';
import { LayerNorm, ParameterSet, denseMatMul } from '../src/nn/index.js';
import { resolveOptions } from '../src/options.js';
import { Rng } from '../src/rng.js';

// Training runs on wasm, so every forward and backward op here must exist there.
test.before(async () => {
  await initBackend('wasm');
});

type Shape3 = [number, number, number];

function build(def: BackboneDefinition, options: Record<string, unknown>, inputShape: Shape3, seed = 0) {
  const params = new ParameterSet('backbone');
  const net = def.build(resolveOptions(def.options, options, `backbone ${def.id}`), { rng: new Rng(seed), params, inputShape }) as VisionTransformer;
  return { net, params };
}

/** A small ViT through the class itself (dims no definition offers), for numerical checks. */
function tinyVit(config: Partial<VitConfig> = {}, seed = 1) {
  const params = new ParameterSet('backbone');
  const full: VitConfig = {
    embedDim: 8,
    depth: 2,
    heads: 2,
    patchSize: 4,
    mlpRatio: 4,
    layerNormEpsilon: 1e-6,
    inChannels: 3,
    imageSize: [8, 8],
    ...config,
  };
  return { net: new VisionTransformer('vit-test', params, full, new Rng(seed)), params, config: full };
}

function randomTensor(shape: number[], rng: Rng, std = 1): tf.Tensor {
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal(0, std)), shape);
}

/** max |a − b| / max |b|: float32 arithmetic against a float64 reference lands near 1e-7. */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}

// ---------------------------------------------------------------------------------------------
// Definitions, names, counts

test('builtin definitions include vit-tiny and vit-small with patchSize and depth options', (t) => {
  const ids = builtinBackbones.map((d) => d.id);
  t.true(ids.includes('vit-tiny') && ids.includes('vit-small'));
  t.deepEqual(Object.keys(vitSmallDefinition.options), ['patchSize', 'depth']);
  t.is(vitSmallDefinition.options.patchSize!.default, 8); // the paper's ViT-S/8
  t.is(vitSmallDefinition.options.depth!.default, 12);
});

// timm, no classifier head (num_classes=0), 224 px:
//   patch_embed D·3·p² + D, cls_token D, pos_embed (1 + (224/p)²)·D, final norm 2D, and per block
//   norm1 2D + qkv (D·3D + 3D) + proj (D² + D) + norm2 2D + fc1 (D·4D + 4D) + fc2 (4D·D + D) = 12D² + 13D.
//   ViT-S/16 (D 384): 295,296 + 384 + 75,648 + 12 · 1,774,464 + 768 = 21,665,664
//   ViT-Ti/16 (D 192): 147,648 + 192 + 37,824 + 12 · 444,864 + 384 = 5,524,416
//   ViT-S/8: patch 74,112 and pos_embed 785 · 384 = 301,440 → 21,670,272; at depth 1, 2,151,168.
const blockParams = (d: number) => 12 * d * d + 13 * d;
const vitParams = (d: number, p: number, depth: number, size = 224) =>
  d * 3 * p * p + d + d + (1 + (size / p) ** 2) * d + depth * blockParams(d) + 2 * d;

test('parameter counts match timm at 224 px: ViT-S/16 21,665,664, ViT-Ti/16 5,524,416, ViT-S/8', (t) => {
  t.is(vitParams(384, 16, 12), 21_665_664);
  t.is(vitParams(192, 16, 12), 5_524_416);
  t.is(vitParams(384, 8, 12), 21_670_272);
  for (const [def, patchSize, depth, expected] of [
    [vitSmallDefinition, 16, 12, 21_665_664],
    [vitTinyDefinition, 16, 12, 5_524_416],
    // Only the patch and position tables change with p; depth 1 keeps the test quick.
    [vitSmallDefinition, 8, 1, 2_151_168],
  ] as const) {
    const { net, params } = build(def, { patchSize, depth }, [224, 224, 3]);
    t.is(params.count(), expected, `${def.id}/${patchSize} depth ${depth}`);
    t.is(params.count(), vitParams(net.featureDim, patchSize, depth));
    t.is(params.trainable().length, 4 + 12 * depth + 2);
    t.is(params.count(true), params.count(), 'no buffers');
    params.dispose();
  }
});

test('timm/DINO parameter names, order, shapes and roles', (t) => {
  const { net, params } = build(vitTinyDefinition, { patchSize: 4, depth: 2 }, [32, 32, 3]);
  t.is(net.featureDim, 192);
  t.deepEqual(net.grid, [8, 8]);
  const rows = params.list().map((p) => [p.name.replace('backbone.', ''), p.variable.shape, p.role]);
  t.deepEqual(rows.slice(0, 4), [
    ['cls_token', [1, 1, 192], 'weight'],
    ['pos_embed', [1, 65, 192], 'weight'],
    // [kh, kw, in, out]: PyTorch's [192, 3, 4, 4] transposed (3, 2, 0, 1).
    ['patch_embed.proj.weight', [4, 4, 3, 192], 'weight'],
    ['patch_embed.proj.bias', [192], 'bias'],
  ]);
  t.deepEqual(rows.slice(4, 16), [
    ['blocks.0.norm1.weight', [192], 'norm'],
    ['blocks.0.norm1.bias', [192], 'norm'],
    ['blocks.0.attn.qkv.weight', [192, 576], 'weight'],
    ['blocks.0.attn.qkv.bias', [576], 'bias'],
    ['blocks.0.attn.proj.weight', [192, 192], 'weight'],
    ['blocks.0.attn.proj.bias', [192], 'bias'],
    ['blocks.0.norm2.weight', [192], 'norm'],
    ['blocks.0.norm2.bias', [192], 'norm'],
    ['blocks.0.mlp.fc1.weight', [192, 768], 'weight'],
    ['blocks.0.mlp.fc1.bias', [768], 'bias'],
    ['blocks.0.mlp.fc2.weight', [768, 192], 'weight'],
    ['blocks.0.mlp.fc2.bias', [192], 'bias'],
  ]);
  t.deepEqual(rows.slice(-2), [
    ['norm.weight', [192], 'norm'],
    ['norm.bias', [192], 'norm'],
  ]);
  params.dispose();
});

test("DINO's init: trunc-normal(.02) Linears, tokens and pos_embed; zero biases; LayerNorm 1/0; conv default", (t) => {
  const { params } = build(vitSmallDefinition, { patchSize: 8, depth: 1 }, [32, 32, 3]);
  const values = (name: string) => Array.from(params.get(name).dataSync());
  const std = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
  for (const name of ['blocks.0.attn.qkv.weight', 'blocks.0.mlp.fc1.weight', 'pos_embed']) {
    const s = std(values(name));
    t.true(Math.abs(s - 0.02) < 0.001, `${name} std ${s}`);
  }
  for (const name of ['blocks.0.attn.qkv.bias', 'blocks.0.attn.proj.bias', 'blocks.0.mlp.fc2.bias', 'norm.bias']) {
    t.true(values(name).every((v) => v === 0), name);
  }
  t.true(values('blocks.0.norm1.weight').every((v) => v === 1));
  // The patch conv keeps PyTorch's Conv2d default U(±1/√(3·8·8)) (DINO's _init_weights skips convs).
  const bound = 1 / Math.sqrt(3 * 64);
  const patch = values('patch_embed.proj.weight');
  t.true(patch.every((v) => Math.abs(v) <= bound));
  t.true(Math.max(...patch.map(Math.abs)) > 0.9 * bound);
  params.dispose();
});

test('same seed, same weights and features; another seed differs', (t) => {
  const x = tf.randomNormal([2, 16, 16, 3]) as tf.Tensor4D;
  const a = build(vitTinyDefinition, { patchSize: 4, depth: 1 }, [16, 16, 3]);
  const b = build(vitTinyDefinition, { patchSize: 4, depth: 1 }, [16, 16, 3]);
  const c = build(vitTinyDefinition, { patchSize: 4, depth: 1 }, [16, 16, 3], 1);
  const features = (net: VisionTransformer) => tf.tidy(() => Array.from(net.apply(x, false).dataSync()));
  t.deepEqual(Array.from(a.params.get('blocks.0.attn.qkv.weight').dataSync()), Array.from(b.params.get('blocks.0.attn.qkv.weight').dataSync()));
  t.deepEqual(features(a.net), features(b.net));
  t.notDeepEqual(features(a.net), features(c.net));
  for (const m of [a, b, c]) m.params.dispose();
  x.dispose();
});

// ---------------------------------------------------------------------------------------------
// Shapes and input sizes

test('features are the [B, D] CLS token; any image size with at least one patch works', (t) => {
  const { net, params } = build(vitTinyDefinition, { patchSize: 4, depth: 1 }, [16, 16, 3]);
  for (const [h, w] of [
    [16, 16],
    [12, 12], // a DINO-style smaller crop: the 4×4 position grid is resized to 3×3
    [18, 17], // remainder pixels dropped, like a stride-4 conv: 4×4 grid
    [4, 8],
  ]) {
    const y = tf.tidy(() => net.apply(tf.randomNormal([3, h!, w!, 3]), true));
    t.deepEqual(y.shape, [3, 192], `${h}×${w}`);
    t.true(Array.from(y.dataSync()).every(Number.isFinite));
    y.dispose();
  }
  params.dispose();
});

test('a patch larger than the images is a one-line UserError naming the fix', (t) => {
  const atBuild = t.throws(() => build(vitSmallDefinition, { patchSize: 16 }, [8, 8, 3]));
  t.true(isUserError(atBuild));
  t.regex(atBuild!.message, /patch size 16 does not fit 8×8 images/);
  t.regex((atBuild as unknown as { fix: string }).fix, /patchSize=8/);

  const { net, params } = build(vitTinyDefinition, { patchSize: 8, depth: 1 }, [16, 16, 3]);
  const atApply = t.throws(() => tf.tidy(() => net.apply(tf.zeros([1, 6, 6, 3]) as tf.Tensor4D, false)));
  t.true(isUserError(atApply));
  params.dispose();
});

test('the patch embedding is the stride-p convolution (tf.conv2d with the same filter)', (t) => {
  const { net, params } = build(vitTinyDefinition, { patchSize: 4, depth: 1 }, [16, 16, 3]);
  const x = tf.randomNormal([2, 18, 17, 3]) as tf.Tensor4D;
  const [ours, conv] = tf.tidy(() => {
    const tokens = net.patchEmbed.apply(x);
    const reference = tf.add(tf.conv2d(x, net.patchEmbed.weight as tf.Tensor4D, 4, 'valid'), net.patchEmbed.bias);
    return [tokens.dataSync(), tf.reshape(reference, tokens.shape).dataSync()];
  });
  t.true(relativeError(ours, conv) < 1e-5);
  x.dispose();
  params.dispose();
});

// ---------------------------------------------------------------------------------------------
// Position-embedding interpolation

// Constants from PyTorch 1.13 (Debian python3-torch), float64, computed once and pasted:
//   F.interpolate(torch.eye(n).reshape(n, 1, 1, n), size=(1, m), mode='bicubic',
//                 align_corners=False).reshape(n, m).T
const TORCH_BICUBIC: Array<[number, number, number[][]]> = [
  [4, 3, [
    [0.8564814815, 0.1608796296, -0.0173611111, 0.0],
    [-0.09375, 0.59375, 0.59375, -0.09375],
    [0.0, -0.0173611111, 0.1608796296, 0.8564814815],
  ]],
  [4, 6, [
    [1.0868055556, -0.0868055556, 0.0, 0.0],
    [0.5, 0.59375, -0.09375, 0.0],
    [-0.0868055556, 0.943287037, 0.1608796296, -0.0173611111],
    [-0.0173611111, 0.1608796296, 0.943287037, -0.0868055556],
    [0.0, -0.09375, 0.59375, 0.5],
    [0.0, 0.0, -0.0868055556, 1.0868055556],
  ]],
  [3, 7, [
    [1.1093294461, -0.1093294461, 0.0],
    [0.8790087464, 0.1341107872, -0.0131195335],
    [0.4198250729, 0.6851311953, -0.1049562682],
    [0.0, 1.0, 0.0],
    [-0.1049562682, 0.6851311953, 0.4198250729],
    [-0.0131195335, 0.1341107872, 0.8790087464],
    [0.0, -0.1093294461, 1.1093294461],
  ]],
  [8, 3, [
    [0.1435185185, 0.943287037, -0.0868055556, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, -0.09375, 0.59375, 0.59375, -0.09375, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, -0.0868055556, 0.943287037, 0.1435185185],
  ]],
];

test('1-D bicubic resize matrices equal PyTorch (a = −0.75, align_corners False, border clamp)', (t) => {
  for (const [from, to, expected] of TORCH_BICUBIC) {
    const m = bicubicResizeMatrix(from, to);
    const flat = expected.flat();
    t.is(m.length, flat.length);
    for (let i = 0; i < flat.length; i++) t.true(Math.abs(m[i]! - flat[i]!) < 1e-9, `${from}→${to} [${i}] ${m[i]} vs ${flat[i]}`);
  }
});

test('2-D resize of a 4×4 table to 3×5 equals PyTorch bicubic', (t) => {
  // torch: g[0, 0, r, c] = sin(1.3r + 0.7c), g[0, 1, r, c] = cos(0.4r − 1.1c);
  // F.interpolate(g, size=(3, 5), mode='bicubic', align_corners=False), laid out [r, c, channel].
  const expected = [
    0.1123680047, 1.0227954756, 0.5211994672, 0.7482857729, 0.8850755203, -0.029269956, 0.8920495808, -0.7820573989,
    0.7027928701, -1.015060976, 0.9708378076, 0.8296257168, 0.684318666, 0.9717209162, 0.1463833234, 0.5157491502,
    -0.4505803152, -0.3766504142, -0.8360177213, -0.9659109091, -0.5004133878, 0.3708381339, -0.7947227033,
    0.8840442051, -0.9435851626, 0.8956429906, -0.7119519273, 0.149347171, -0.3686352854, -0.6075091535,
  ];
  const table: number[] = [];
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) table.push(Math.sin(1.3 * r + 0.7 * c), Math.cos(0.4 * r - 1.1 * c));
  const m = posEmbedResizeMatrix([4, 4], [3, 5]);
  t.is(m.length, 15 * 16);
  const out: number[] = [];
  for (let i = 0; i < 15; i++) {
    for (let ch = 0; ch < 2; ch++) {
      let s = 0;
      for (let n = 0; n < 16; n++) s += m[i * 16 + n]! * table[n * 2 + ch]!;
      out.push(s);
    }
  }
  t.true(relativeError(out, expected) < 1e-6);
});

test('the resize matrix is the identity for an unchanged grid and is cached', (t) => {
  const m = posEmbedResizeMatrix([3, 4], [3, 4]);
  for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) t.is(m[i * 12 + j], i === j ? 1 : 0);
  t.is(posEmbedResizeMatrix([3, 4], [3, 4]), m);
  // Rows of any resize sum to 1 (bicubic weights are a partition of unity).
  const r = posEmbedResizeMatrix([8, 8], [3, 3]);
  for (let i = 0; i < 9; i++) t.true(Math.abs(r.slice(i * 64, (i + 1) * 64).reduce((a, b) => a + b, 0) - 1) < 1e-6);
});

test('position embeddings: unchanged grid returns pos_embed itself; other grids keep the CLS row', (t) => {
  const { net, params } = build(vitTinyDefinition, { patchSize: 4, depth: 1 }, [16, 16, 3]);
  t.is(net.positionEmbedding([4, 4]), net.posEmbed as tf.Tensor3D);
  const resized = tf.tidy(() => net.positionEmbedding([3, 2]));
  t.deepEqual(resized.shape, [1, 7, 192]);
  const pos = net.posEmbed.dataSync();
  const out = resized.dataSync();
  t.deepEqual(Array.from(out.slice(0, 192)), Array.from(pos.slice(0, 192)));
  resized.dispose();
  params.dispose();
});

// ---------------------------------------------------------------------------------------------
// Numerical check against a float64 reference written here

/** erf in float64: Taylor series for |x| < 2.5, Laplace continued fraction for erfc beyond. */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 2.5) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = a;
  for (let n = 60; n >= 1; n--) f = a + n / 2 / f;
  return Math.sign(x) * (1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * f));
}

type Matrix = number[][];

/** x [T, in] · W [in, out] + b with W row-major as the tfjs variable stores it. */
function linear(x: Matrix, w: Float32Array, b: Float32Array, out: number): Matrix {
  return x.map((row) => {
    const y = Array.from(b, Number);
    for (let k = 0; k < row.length; k++) for (let j = 0; j < out; j++) y[j]! += row[k]! * w[k * out + j]!;
    return y;
  });
}

function layerNorm(x: Matrix, g: Float32Array, b: Float32Array, eps: number): Matrix {
  return x.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * g[i]! + b[i]!);
  });
}

/** DINO's forward for one image [H, W, C] (row-major), from the network's own parameters. */
function referenceForward(net: VisionTransformer, params: ParameterSet, image: Float32Array, height: number, width: number): number[] {
  const { embedDim: d, heads, patchSize: p, inChannels: c, layerNormEpsilon: eps } = net.config;
  const get = (name: string) => params.get(name).dataSync() as Float32Array;
  const rows = Math.floor(height / p);
  const cols = Math.floor(width / p);
  // Patch conv, PyTorch semantics, filter [kh, kw, in, out].
  const filter = get('patch_embed.proj.weight');
  const convBias = get('patch_embed.proj.bias');
  const tokens: Matrix = [Array.from(get('cls_token'), Number)];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const out = Array.from(convBias, Number);
      for (let kh = 0; kh < p; kh++) {
        for (let kw = 0; kw < p; kw++) {
          for (let ch = 0; ch < c; ch++) {
            const v = image[((i * p + kh) * width + (j * p + kw)) * c + ch]!;
            for (let o = 0; o < d; o++) out[o]! += v * filter[((kh * p + kw) * c + ch) * d + o]!;
          }
        }
      }
      tokens.push(out);
    }
  }
  // Position embeddings, resized with separable bicubic weights when the grid differs.
  const pos = get('pos_embed');
  const [gh, gw] = net.grid;
  const rowW = bicubicResizeMatrix(gh, rows);
  const colW = bicubicResizeMatrix(gw, cols);
  for (let o = 0; o < d; o++) tokens[0]![o]! += pos[o]!;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      for (let r = 0; r < gh; r++) {
        for (let q = 0; q < gw; q++) {
          const weight = rowW[i * gh + r]! * colW[j * gw + q]!;
          for (let o = 0; o < d; o++) tokens[1 + i * cols + j]![o]! += weight * pos[(1 + r * gw + q) * d + o]!;
        }
      }
    }
  }
  let x = tokens;
  const hd = d / heads;
  for (let blk = 0; blk < net.config.depth; blk++) {
    const pre = `blocks.${blk}`;
    const h = layerNorm(x, get(`${pre}.norm1.weight`), get(`${pre}.norm1.bias`), eps);
    const qkv = linear(h, get(`${pre}.attn.qkv.weight`), get(`${pre}.attn.qkv.bias`), 3 * d);
    // timm: qkv.reshape(B, N, 3, heads, hd) — column s·D + head·hd + e.
    const attended: Matrix = x.map(() => new Array<number>(d).fill(0));
    for (let head = 0; head < heads; head++) {
      const col = (s: number, e: number) => s * d + head * hd + e;
      for (let i = 0; i < x.length; i++) {
        const scores = x.map((_, j) => {
          let s = 0;
          for (let e = 0; e < hd; e++) s += qkv[i]![col(0, e)]! * qkv[j]![col(1, e)]!;
          return s / Math.sqrt(hd);
        });
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const total = exps.reduce((a, b) => a + b, 0);
        for (let j = 0; j < x.length; j++) {
          for (let e = 0; e < hd; e++) attended[i]![head * hd + e]! += (exps[j]! / total) * qkv[j]![col(2, e)]!;
        }
      }
    }
    const projected = linear(attended, get(`${pre}.attn.proj.weight`), get(`${pre}.attn.proj.bias`), d);
    x = x.map((row, i) => row.map((v, o) => v + projected[i]![o]!));
    const h2 = layerNorm(x, get(`${pre}.norm2.weight`), get(`${pre}.norm2.bias`), eps);
    const hidden = linear(h2, get(`${pre}.mlp.fc1.weight`), get(`${pre}.mlp.fc1.bias`), 4 * d).map((row) =>
      row.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2))),
    );
    const mlp = linear(hidden, get(`${pre}.mlp.fc2.weight`), get(`${pre}.mlp.fc2.bias`), d);
    x = x.map((row, i) => row.map((v, o) => v + mlp[i]![o]!));
  }
  return layerNorm([x[0]!], get('norm.weight'), get('norm.bias'), eps)[0]!;
}

test('forward pass equals a float64 reference of DINO’s ViT (same grid, resized grid, cropped remainder)', (t) => {
  const { net, params } = tinyVit({ embedDim: 8, heads: 2, depth: 2, patchSize: 4, imageSize: [8, 12] });
  // Large random weights everywhere (incl. LayerNorm and pos_embed) so attention is far from
  // uniform and GELU is exercised beyond its linear range.
  const rng = new Rng(5);
  for (const p of params.list()) tf.tidy(() => p.variable.assign(randomTensor(p.variable.shape, rng, 0.5)));
  for (const [h, w] of [
    [8, 12], // the built 2×3 grid
    [12, 9], // 3×2 grid: pos_embed resized
    [10, 15], // 2×3 grid with 2 and 3 remainder pixels dropped
  ] as const) {
    const batch = 2;
    const x = randomTensor([batch, h, w, 3], rng) as tf.Tensor4D;
    const ours = tf.tidy(() => net.apply(x, true).dataSync());
    const pixels = x.dataSync() as Float32Array;
    const expected: number[] = [];
    for (let b = 0; b < batch; b++) expected.push(...referenceForward(net, params, pixels.subarray(b * h * w * 3, (b + 1) * h * w * 3), h, w));
    const err = relativeError(ours, expected);
    t.true(err < 2e-5, `${h}×${w}: relative error ${err}`);
    x.dispose();
  }
  params.dispose();
});

// ---------------------------------------------------------------------------------------------
// Gradients and memory on wasm

test('denseMatMul gives tfjs’ own matMul gradients (it only avoids transposed products)', (t) => {
  const rng = new Rng(3);
  const x = randomTensor([5, 4], rng) as tf.Tensor2D;
  const w = randomTensor([4, 3], rng) as tf.Tensor2D;
  const b = randomTensor([3], rng);
  const r = randomTensor([5, 3], rng);
  const loss = (f: (a: tf.Tensor2D, c: tf.Tensor2D, d: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
    tf.sum(tf.mul(f(a as tf.Tensor2D, c as tf.Tensor2D, d), r));
  const ours = tf.grads(loss((a, c, d) => denseMatMul(a, c, d)))([x, w, b]);
  const theirs = tf.grads(loss((a, c, d) => tf.add(tf.matMul(a, c), d)))([x, w, b]);
  for (let i = 0; i < 3; i++) t.true(relativeError(ours[i]!.dataSync(), theirs[i]!.dataSync()) < 1e-6, `input ${i}`);
  tf.dispose([x, w, b, r, ...ours, ...theirs]);
});

test('LayerNorm: per-row normalisation with eps 1e-6, role norm', (t) => {
  const params = new ParameterSet();
  const ln = new LayerNorm(params, 'ln', 4);
  t.deepEqual(params.list().map((p) => [p.name, p.role]), [['ln.weight', 'norm'], ['ln.bias', 'norm']]);
  t.is(ln.epsilon, 1e-6);
  ln.weight.assign(tf.tensor1d([1, 2, 3, 4]));
  ln.bias.assign(tf.tensor1d([0, 1, 0, -1]));
  const rows = [[1, 2, 3, 4], [-2, 0, 5, 1]];
  const y = tf.tidy(() => ln.apply(tf.tensor3d([rows], [1, 2, 4])).dataSync());
  const expected = layerNorm(rows, Float32Array.of(1, 2, 3, 4), Float32Array.of(0, 1, 0, -1), 1e-6).flat();
  t.true(relativeError(y, expected) < 1e-6);
  params.dispose();
});

test('gradients reach every trainable parameter, are finite, and nothing leaks (wasm)', (t) => {
  t.is(tf.getBackend(), 'wasm');
  const { net, params } = build(vitTinyDefinition, { patchSize: 4, depth: 2 }, [16, 16, 3]);
  const rng = new Rng(9);
  const full = randomTensor([2, 16, 16, 3], rng) as tf.Tensor4D;
  const crop = randomTensor([2, 12, 12, 3], rng) as tf.Tensor4D; // resized position grid
  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.add(tf.sum(tf.square(net.apply(full, true))), tf.sum(tf.square(net.apply(crop, true)))) as tf.Scalar);
      const missing = params.trainable().filter((p) => grads[p.variable.name]?.shape.join() !== p.variable.shape.join()).map((p) => p.name);
      const bad = params
        .trainable()
        .filter((p) => {
          const g = grads[p.variable.name]?.dataSync();
          return !g || !g.every(Number.isFinite) || g.every((v) => v === 0);
        })
        .map((p) => p.name);
      return { loss: value.dataSync()[0]!, count: Object.keys(grads).length, missing, bad };
    });
  step();
  const before = tf.memory().numTensors;
  const r = step();
  step();
  t.is(tf.memory().numTensors, before, 'tensor count flat across forward/backward steps');
  t.is(r.count, params.trainable().length);
  t.deepEqual(r.missing, []);
  t.deepEqual(r.bad, [], 'every gradient finite and not all zero');
  t.true(Number.isFinite(r.loss));
  tf.dispose([full, crop]);
  params.dispose();
});

// Conv2D, its two gradients, and FusedConv2D on oneDNN (NHWC, filters [kh, kw, in, out]).
import type * as tfc from '@tensorflow/tfjs-core';
import type { CpuBackend, KernelArgs, TensorInfo } from '../cpu-backend.js';
import { nativeKernel, size, type KernelContext } from '../kernel-context.js';
import { ACTIVATIONS, isRowBias } from './activations.js';

type ConvInfo = tfc.backend_util.Conv2DInfo;
type Pad = 'valid' | 'same' | number | tfc.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

const FORWARD = 0;
const BACKPROP_INPUT = 1;
const BACKPROP_FILTER = 2;

/** The 17 integers native/conv.cc reads, or why oneDNN cannot run this geometry. */
export function convGeometry(info: ConvInfo): Int32Array | string {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outChannels: o, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, bottom, left, right } = info.padInfo;
  if ([n, h, w, c, o, oh, ow, kh, kw].some((d) => d <= 0)) return 'empty tensor';
  if ([top, bottom, left, right].some((p) => p < 0)) return 'negative padding';
  // oneDNN's output size rule; tfjs' 'ceil'/'round' rounding modes can disagree with it.
  const expect = (size: number, k: number, d: number, s: number, p: number) => Math.floor((size + p - ((k - 1) * d + 1)) / s) + 1;
  if (expect(h, kh, dh, sh, top + bottom) !== oh || expect(w, kw, dw, sw, left + right) !== ow) return 'output size rounding';
  return Int32Array.from([n, h, w, c, o, kh, kw, oh, ow, sh, sw, dh, dw, top, bottom, left, right]);
}

/** A 1×1 convolution with a stride above 1 and no padding (a ResNet shortcut). */
function isStridedPointwise(info: ConvInfo): boolean {
  const { top, bottom, left, right } = info.padInfo;
  return info.filterHeight === 1 && info.filterWidth === 1 && (info.strideHeight > 1 || info.strideWidth > 1)
    && info.dilationHeight === 1 && info.dilationWidth === 1 && top === 0 && bottom === 0 && left === 0 && right === 0;
}

/** x[:, ::sh, ::sw, :] cut to the output's size: the pixels a strided 1×1 convolution reads. */
function subsample(x: Float32Array, info: ConvInfo): Float32Array {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const out = new Float32Array(n * oh * ow * c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      const row = (b * h + y * sh) * w;
      for (let xx = 0; xx < ow; xx++) {
        const from = (row + xx * sw) * c;
        for (let k = 0; k < c; k++) out[o++] = x[from + k]!;
      }
    }
  }
  return out;
}

function nhwcOnly(attrs: KernelArgs['attrs']): string | undefined {
  const format = attrs?.dataFormat;
  return format === undefined || format === 'NHWC' ? undefined : `dataFormat ${String(format)}`;
}

export function convKernels(ctx: KernelContext) {
  const { tf, addon, pool } = ctx;
  const info = (xShape: number[], filterShape: number[], a: KernelArgs['attrs'], dilations: unknown) =>
    tf.backend_util.computeConv2DInfo(
      xShape as [number, number, number, number],
      filterShape as [number, number, number, number],
      a!.strides as [number, number] | number,
      (dilations ?? 1) as [number, number] | number,
      a!.pad as Pad,
      a!.dimRoundingMode as Rounding,
      false,
      'channelsLast',
    );

  /** y = conv(x, filter), or why not. */
  const forward = (backend: CpuBackend, args: KernelArgs): { y: TensorInfo; values: Float32Array } | string => {
    const { x, filter } = args.inputs;
    const format = nhwcOnly(args.attrs);
    if (format) return format;
    const xv = ctx.values(backend, x);
    const wv = ctx.values(backend, filter);
    if (typeof xv === 'string') return xv;
    if (typeof wv === 'string') return wv;
    const conv = info(x!.shape, filter!.shape, args.attrs, args.attrs?.dilations);
    const geometry = convGeometry(conv);
    if (typeof geometry === 'string') return geometry;
    const out = pool.take(size(conv.outShape));
    addon.conv2d(FORWARD, xv, wv, out, geometry);
    return { y: ctx.output(backend, conv.outShape, out), values: out };
  };

  const conv2d = nativeKernel(ctx, 'Conv2D', (backend, args) => {
    const result = forward(backend, args);
    return typeof result === 'string' ? result : result.y;
  });

  const backpropInput = nativeKernel(ctx, 'Conv2DBackpropInput', (backend, args) => {
    const { dy, filter } = args.inputs;
    const format = nhwcOnly(args.attrs);
    if (format) return format;
    const dyv = ctx.values(backend, dy);
    const wv = ctx.values(backend, filter);
    if (typeof dyv === 'string') return dyv;
    if (typeof wv === 'string') return wv;
    const inputShape = args.attrs!.inputShape as number[];
    const conv = info(inputShape, filter!.shape, args.attrs, 1);
    if (conv.outShape.some((d, i) => d !== dy!.shape[i])) return 'dy shape differs from the forward output';
    const geometry = convGeometry(conv);
    if (typeof geometry === 'string') return geometry;
    const out = pool.take(size(inputShape));
    addon.conv2d(BACKPROP_INPUT, dyv, wv, out, geometry);
    return ctx.output(backend, [...inputShape], out);
  });

  const backpropFilter = nativeKernel(ctx, 'Conv2DBackpropFilter', (backend, args) => {
    const { x, dy } = args.inputs;
    const format = nhwcOnly(args.attrs);
    if (format) return format;
    const xv = ctx.values(backend, x);
    const dyv = ctx.values(backend, dy);
    if (typeof xv === 'string') return xv;
    if (typeof dyv === 'string') return dyv;
    const filterShape = args.attrs!.filterShape as number[];
    const conv = info(x!.shape, filterShape, args.attrs, 1);
    if (conv.outShape.some((d, i) => d !== dy!.shape[i])) return 'dy shape differs from the forward output';
    const geometry = convGeometry(conv);
    if (typeof geometry === 'string') return geometry;
    const out = pool.take(size(filterShape));
    if (isStridedPointwise(conv)) {
      // oneDNN 2.6's 1×1 strided weight gradient (its reduce-to-unit-stride path) writes out of
      // bounds for some shapes (8 input channels at ≥ 64 px corrupted the heap); the same
      // gradient from the strided samples at stride 1 is exact and safe.
      const { batchSize: n, outHeight: oh, outWidth: ow, inChannels: c, outChannels: o } = conv;
      const samples = subsample(xv, conv);
      addon.conv2d(BACKPROP_FILTER, samples, dyv, out, Int32Array.from([n, oh, ow, c, o, 1, 1, oh, ow, 1, 1, 1, 1, 0, 0, 0, 0]));
    } else {
      addon.conv2d(BACKPROP_FILTER, xv, dyv, out, geometry);
    }
    return ctx.output(backend, [...filterShape], out);
  });

  /** conv + bias + activation; the epilogue runs in place on the convolution's output. */
  const fused = nativeKernel(ctx, 'FusedConv2D', (backend, args) => {
    const { bias, preluActivationWeights } = args.inputs;
    const activation = ACTIVATIONS[String(args.attrs?.activation ?? 'linear')];
    if (activation === undefined) return `activation ${String(args.attrs?.activation)}`;
    if (preluActivationWeights !== undefined) return 'prelu weights';
    let biasValues: Float32Array | null = null;
    if (bias !== undefined) {
      const bv = ctx.values(backend, bias);
      if (typeof bv === 'string') return `bias ${bv}`;
      if (!isRowBias(bias.shape, args.inputs.filter!.shape[3]!)) return 'bias not per channel';
      biasValues = bv;
    }
    const result = forward(backend, args);
    if (typeof result === 'string') return result;
    const channels = result.y.shape[3]!;
    addon.biasActivation(result.values, biasValues, result.values.length / channels, channels, activation, Number(args.attrs?.leakyreluAlpha ?? 0));
    return result.y;
  });

  return [conv2d, backpropInput, backpropFilter, fused];
}

// MaxPool, AvgPool and their gradients (NHWC).
import type * as tfc from '@tensorflow/tfjs-core';
import type { KernelArgs } from '../cpu-backend.js';
import { nativeKernel, size, type KernelContext } from '../kernel-context.js';

type Pad = 'valid' | 'same' | number | tfc.backend_util.ExplicitPadding;

const MAX_FORWARD = 0;
const AVG_FORWARD = 1;
const MAX_GRAD = 2;
const AVG_GRAD = 3;

function geometry(info: tfc.backend_util.Conv2DInfo): Int32Array | string {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  if ([batchSize, inHeight, inWidth, inChannels, outHeight, outWidth].some((d) => d <= 0)) return 'empty tensor';
  return Int32Array.from([
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    filterHeight,
    filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]);
}

export function poolKernels(ctx: KernelContext) {
  const { tf, addon, pool } = ctx;
  const info = (shape: number[], attrs: KernelArgs['attrs']) =>
    tf.backend_util.computePool2DInfo(
      shape as [number, number, number, number],
      attrs!.filterSize as [number, number] | number,
      attrs!.strides as [number, number] | number,
      1,
      attrs!.pad as Pad,
      attrs!.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    );

  const forward = (name: string, kind: number) =>
    nativeKernel(ctx, name, (backend, args) => {
      const x = args.inputs.x;
      const xv = ctx.values(backend, x);
      if (typeof xv === 'string') return xv;
      const conv = info(x!.shape, args.attrs);
      const g = geometry(conv);
      if (typeof g === 'string') return g;
      const out = pool.take(size(conv.outShape));
      addon.pool(kind, xv, null, out, g);
      return ctx.output(backend, conv.outShape, out);
    });

  const maxGrad = nativeKernel(ctx, 'MaxPoolGrad', (backend, args) => {
    const { dy, input } = args.inputs;
    const dyv = ctx.values(backend, dy);
    const xv = ctx.values(backend, input);
    if (typeof dyv === 'string') return dyv;
    if (typeof xv === 'string') return xv;
    const conv = info(input!.shape, args.attrs);
    if (conv.outShape.some((d, i) => d !== dy!.shape[i])) return 'dy shape differs from the forward output';
    const g = geometry(conv);
    if (typeof g === 'string') return g;
    const out = pool.take(xv.length);
    addon.pool(MAX_GRAD, dyv, xv, out, g);
    return ctx.output(backend, [...input!.shape], out);
  });

  const avgGrad = nativeKernel(ctx, 'AvgPoolGrad', (backend, args) => {
    const { dy, input } = args.inputs;
    const dyv = ctx.values(backend, dy);
    if (typeof dyv === 'string') return dyv;
    if (input === undefined) return 'missing input';
    // The stock kernel ignores dimRoundingMode here; so does this one.
    const conv = info(input.shape, { ...args.attrs, dimRoundingMode: undefined });
    if (conv.outShape.some((d, i) => d !== dy!.shape[i])) return 'dy shape differs from the forward output';
    const g = geometry(conv);
    if (typeof g === 'string') return g;
    const out = pool.take(size(input.shape));
    addon.pool(AVG_GRAD, dyv, null, out, g);
    return ctx.output(backend, [...input.shape], out);
  });

  return [forward('MaxPool', MAX_FORWARD), forward('AvgPool', AVG_FORWARD), maxGrad, avgGrad];
}

// Kernels of the augmentation pipelines: MirrorPad and FlipLeftRight (copies through per-axis
// index maps), and CropAndResize. Their stock versions compute every output index in JavaScript
// and were a quarter of a training step's time at 32×32, batch 64.
import { nativeKernel, size, type KernelContext } from '../kernel-context.js';
import { contiguousStrides } from './layout.js';

function identity(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export function imageKernels(ctx: KernelContext) {
  const { addon, pool } = ctx;

  const mirrorPad = nativeKernel(ctx, 'MirrorPad', (backend, args) => {
    const x = args.inputs.x;
    const xv = ctx.values(backend, x);
    if (typeof xv === 'string') return xv;
    const paddings = args.attrs!.paddings as Array<[number, number]>;
    const offset = args.attrs!.mode === 'reflect' ? 0 : 1;
    const shape = x!.shape;
    if (shape.length === 0 || shape.length > 8) return 'rank 0 or above 8';
    // The stock kernel's rule: a coordinate before the start reflects about it, after the end about the end.
    const maps = shape.map((d, i) => {
      const [before, after] = paddings[i]!;
      return Array.from({ length: before + d + after }, (_, o) => {
        if (o < before) return before - o - offset;
        if (o >= before + d) return 2 * (d - 1) - (o - before) + offset;
        return o - before;
      });
    });
    if (maps.some((m, i) => m.some((v) => v < 0 || v >= shape[i]!))) return 'padding wider than the input';
    const outShape = maps.map((m) => m.length);
    const out = pool.take(size(outShape));
    if (out.length > 0) addon.remap(xv, out, Int32Array.from(outShape), Int32Array.from(contiguousStrides(shape)), Int32Array.from(maps.flat()));
    return ctx.output(backend, outShape, out);
  });

  const flipLeftRight = nativeKernel(ctx, 'FlipLeftRight', (backend, args) => {
    const image = args.inputs.image;
    const iv = ctx.values(backend, image);
    if (typeof iv === 'string') return iv;
    const shape = image!.shape;
    if (shape.length !== 4) return 'rank not 4';
    const [n, h, w, c] = shape as [number, number, number, number];
    const maps = [identity(n), identity(h), identity(w).reverse(), identity(c)];
    const out = pool.take(iv.length);
    if (out.length > 0) addon.remap(iv, out, Int32Array.from(shape), Int32Array.from(contiguousStrides(shape)), Int32Array.from(maps.flat()));
    return ctx.output(backend, [...shape], out);
  });

  const cropAndResize = nativeKernel(ctx, 'CropAndResize', (backend, args) => {
    const { image, boxes, boxInd } = args.inputs;
    const iv = ctx.values(backend, image);
    const bv = ctx.values(backend, boxes);
    if (typeof iv === 'string') return iv;
    if (typeof bv === 'string') return `boxes ${bv}`;
    if (boxInd === undefined || boxInd.dtype !== 'int32') return 'box indexes not int32';
    const indexes = backend.data.get(boxInd.dataId).values;
    if (!(indexes instanceof Int32Array)) return 'box indexes not an Int32Array';
    const [batch, height, width, channels] = image!.shape as [number, number, number, number];
    const [cropHeight, cropWidth] = args.attrs!.cropSize as [number, number];
    const method = args.attrs!.method;
    if (method !== 'bilinear' && method !== 'nearest') return `method ${String(method)}`;
    const count = boxes!.shape[0]!;
    const outShape = [count, cropHeight, cropWidth, channels];
    const out = pool.take(size(outShape));
    if (out.length > 0) {
      addon.cropAndResize(
        iv,
        bv,
        indexes,
        out,
        Int32Array.from([batch, height, width, channels, cropHeight, cropWidth]),
        method === 'nearest' ? 1 : 0,
        Number(args.attrs!.extrapolationValue ?? 0),
      );
    }
    return ctx.output(backend, outShape, out);
  });

  return [mirrorPad, flipLeftRight, cropAndResize];
}

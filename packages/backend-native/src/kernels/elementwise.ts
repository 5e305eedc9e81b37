// Unary maps, ClipByValue, broadcasting binary operations and Pow, Tile, AddN and Softmax.
import type { CpuBackend, KernelArgs, TensorInfo } from '../cpu-backend.js';
import { nativeKernel, size, type KernelContext } from '../kernel-context.js';
import { broadcastStrides, collapse, contiguousStrides } from './layout.js';

/** native/elementwise.cc's unary op codes. */
const UNARY: Record<string, number> = {
  Relu: 0,
  Exp: 1,
  Log: 2,
  Sqrt: 3,
  Rsqrt: 4,
  Square: 5,
  Neg: 6,
  Abs: 7,
  Step: 8,
  Sigmoid: 9,
  Tanh: 10,
  Reciprocal: 11,
  Erf: 12,
  Relu6: 13,
};
const CLIP = 14;

/** native/elementwise.cc's binary op codes. */
const BINARY: Record<string, number> = {
  Add: 0,
  Sub: 1,
  Multiply: 2,
  RealDiv: 3,
  Maximum: 4,
  Minimum: 5,
  SquaredDifference: 6,
};
const FIRST = 7;
const POW = 9;

export function elementwiseKernels(ctx: KernelContext) {
  const { tf, addon, pool } = ctx;

  /** out = op(a, b) broadcast to outShape. */
  const broadcastRun = (backend: CpuBackend, op: number, a: TensorInfo, av: Float32Array, b: TensorInfo, bv: Float32Array, outShape: number[]) => {
    const { dims, strides } = collapse(outShape, [broadcastStrides(outShape, a.shape), broadcastStrides(outShape, b.shape)]);
    if (dims.length > 8) return 'rank above 8 after collapsing';
    const out = pool.take(size(outShape));
    if (out.length > 0) addon.binary(op, av, bv, out, Int32Array.from(dims), Int32Array.from(strides[0]!), Int32Array.from(strides[1]!));
    return ctx.output(backend, outShape, out);
  };

  const unary = Object.entries(UNARY).map(([name, op]) =>
    nativeKernel(ctx, name, (backend, args) => {
      const x = args.inputs.x;
      const xv = ctx.values(backend, x);
      if (typeof xv === 'string') return xv;
      const out = pool.take(xv.length);
      addon.unary(op, xv, out, Number(args.attrs?.alpha ?? 0), 0);
      return ctx.output(backend, [...x!.shape], out);
    }),
  );

  const clip = nativeKernel(ctx, 'ClipByValue', (backend, args) => {
    const x = args.inputs.x;
    const xv = ctx.values(backend, x);
    if (typeof xv === 'string') return xv;
    const out = pool.take(xv.length);
    addon.unary(CLIP, xv, out, Number(args.attrs!.clipValueMin), Number(args.attrs!.clipValueMax));
    return ctx.output(backend, [...x!.shape], out);
  });

  // tf.norm squares through Pow with an int32 exponent: it is read as float (exact below 2^24).
  const pow = nativeKernel(ctx, 'Pow', (backend, args) => {
    const { a, b } = args.inputs;
    const av = ctx.values(backend, a);
    if (typeof av === 'string') return av;
    if (b === undefined) return 'missing input';
    // The exponent may be int32, or float32 held in an Int32Array (the stock Cast's output).
    if (b.dtype !== 'int32' && b.dtype !== 'float32') return `exponent dtype ${b.dtype}`;
    const raw = backend.data.get(b.dataId).values;
    if (!(raw instanceof Float32Array) && !(raw instanceof Int32Array)) return 'exponent values not numeric';
    const bv = raw instanceof Float32Array ? raw : Float32Array.from(raw);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a!.shape, b.shape);
    return broadcastRun(backend, POW, a!, av, b, bv, outShape);
  });

  const binary = Object.entries(BINARY).map(([name, op]) =>
    nativeKernel(ctx, name, (backend, args) => {
      const { a, b } = args.inputs;
      const av = ctx.values(backend, a);
      const bv = ctx.values(backend, b);
      if (typeof av === 'string') return av;
      if (typeof bv === 'string') return bv;
      const outShape = tf.backend_util.assertAndGetBroadcastShape(a!.shape, b!.shape);
      return broadcastRun(backend, op, a!, av, b!, bv, outShape);
    }),
  );

  // tf.tile, and tf.broadcastTo (which tfjs runs as a Tile): each axis of x becomes
  // [reps, size] in the output, read with stride 0 over the repetitions.
  const tile = nativeKernel(ctx, 'Tile', (backend, args) => {
    const x = args.inputs.x;
    const xv = ctx.values(backend, x);
    if (typeof xv === 'string') return xv;
    const reps = args.attrs!.reps as number[];
    const shape = x!.shape;
    if (reps.length !== shape.length) return 'reps rank differs from the input rank';
    const own = contiguousStrides(shape);
    const dims = shape.flatMap((d, i) => [reps[i]!, d]);
    const strides = shape.flatMap((_, i) => [0, own[i]!]);
    const collapsed = collapse(dims, [strides]);
    if (collapsed.dims.length > 8) return 'rank above 8 after collapsing';
    const outShape = shape.map((d, i) => d * reps[i]!);
    const out = pool.take(size(outShape));
    const s = Int32Array.from(collapsed.strides[0]!);
    if (out.length > 0) addon.binary(FIRST, xv, xv, out, Int32Array.from(collapsed.dims), s, s);
    return ctx.output(backend, outShape, out);
  });

  const addN = nativeKernel(ctx, 'AddN', (backend, args) => {
    const tensors = Object.values(args.inputs) as TensorInfo[];
    if (tensors.length === 0) return 'no inputs';
    const values: Float32Array[] = [];
    for (const t of tensors) {
      const v = ctx.values(backend, t);
      if (typeof v === 'string') return v;
      if (t.shape.length !== tensors[0]!.shape.length || t.shape.some((d, i) => d !== tensors[0]!.shape[i])) return 'shapes differ';
      values.push(v);
    }
    const out = pool.take(values[0]!.length);
    if (out.length > 0) addon.addN(out, ...values);
    return ctx.output(backend, [...tensors[0]!.shape], out);
  });

  const softmax = nativeKernel(ctx, 'Softmax', (backend, args) => {
    const logits = args.inputs.logits;
    const lv = ctx.values(backend, logits);
    if (typeof lv === 'string') return lv;
    const rank = logits!.shape.length;
    const dim = (args.attrs?.dim as number | number[] | undefined) ?? -1;
    const axis = Array.isArray(dim) ? dim[0] : dim;
    if (rank === 0 || (axis !== -1 && axis !== rank - 1)) return 'softmax over a non-last axis';
    const cols = logits!.shape[rank - 1]!;
    const out = pool.take(lv.length);
    if (out.length > 0) addon.softmax(lv, out, lv.length / cols, cols);
    return ctx.output(backend, [...logits!.shape], out);
  });

  return [...unary, clip, ...binary, pow, tile, addN, softmax];
}

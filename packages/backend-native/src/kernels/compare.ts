// Comparisons (Equal, NotEqual, Greater, GreaterEqual, Less, LessEqual) with broadcasting, to bool.
// Methods compare int32 index vectors (same-image masks of contrastive losses); the stock kernels'
// broadcasting walks indexes in JavaScript (25 ms for a 128×128 mask).
import type { CpuBackend, TensorInfo } from '../cpu-backend.js';
import { nativeKernel, size, type KernelContext } from '../kernel-context.js';
import { broadcastStrides, collapse } from './layout.js';

const OPS: Record<string, number> = { Equal: 0, NotEqual: 1, Greater: 2, GreaterEqual: 3, Less: 4, LessEqual: 5 };

/** Float32 values of a float32 tensor, or of an int32 one whose values floats hold exactly. */
function asFloats(backend: CpuBackend, info: TensorInfo | undefined): Float32Array | string {
  if (info === undefined) return 'missing input';
  const values = backend.data.get(info.dataId).values;
  if (info.dtype === 'float32') return values instanceof Float32Array ? values : 'values not a Float32Array';
  if (info.dtype !== 'int32' || !(values instanceof Int32Array)) return `dtype ${info.dtype}`;
  for (const v of values) if (v > 2 ** 24 || v < -(2 ** 24)) return 'int32 beyond exact float range';
  return Float32Array.from(values);
}

export function compareKernels(ctx: KernelContext) {
  const { tf, addon } = ctx;
  return Object.entries(OPS).map(([name, op]) =>
    nativeKernel(ctx, name, (backend, args) => {
      const { a, b } = args.inputs;
      if (a?.dtype !== b?.dtype) return 'dtypes differ';
      const av = asFloats(backend, a);
      const bv = asFloats(backend, b);
      if (typeof av === 'string') return av;
      if (typeof bv === 'string') return bv;
      const outShape = tf.backend_util.assertAndGetBroadcastShape(a!.shape, b!.shape);
      const { dims, strides } = collapse(outShape, [broadcastStrides(outShape, a!.shape), broadcastStrides(outShape, b!.shape)]);
      if (dims.length > 8) return 'rank above 8 after collapsing';
      // Bool outputs are small; they are not pooled.
      const out = new Uint8Array(size(outShape));
      if (out.length > 0) addon.compare(op, av, bv, out, Int32Array.from(dims), Int32Array.from(strides[0]!), Int32Array.from(strides[1]!));
      return backend.makeTensorInfo(outShape, 'bool', out);
    }),
  );
}

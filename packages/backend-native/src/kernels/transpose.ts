// Transpose of float32 tensors, with adjacent axes merged first.
import { nativeKernel, type KernelContext } from '../kernel-context.js';
import { collapseTranspose } from './layout.js';

export function transposeKernels(ctx: KernelContext) {
  const { addon, pool } = ctx;
  const transpose = nativeKernel(ctx, 'Transpose', (backend, args) => {
    const x = args.inputs.x;
    const xv = ctx.values(backend, x);
    if (typeof xv === 'string') return xv;
    const perm = args.attrs!.perm as number[];
    const outShape = perm.map((p) => x!.shape[p]!);
    const { dims, perm: collapsed } = collapseTranspose(x!.shape, perm);
    if (dims.length > 8) return 'rank above 8 after collapsing';
    const out = pool.take(xv.length);
    if (out.length > 0) addon.transpose(xv, out, Int32Array.from(dims), Int32Array.from(collapsed));
    return ctx.output(backend, outShape, out);
  });
  return [transpose];
}

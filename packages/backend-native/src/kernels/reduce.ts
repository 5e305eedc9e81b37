// Sum, Mean, Max, Min over one contiguous run of axes (after dropping size-1 dims); other axis
// sets go to the stock kernel.
import { nativeKernel, size, type KernelContext } from '../kernel-context.js';
import { reductionView } from './layout.js';

const OPS: Record<string, number> = { Sum: 0, Mean: 1, Max: 2, Min: 3 };

export function reduceKernels(ctx: KernelContext) {
  const { tf, addon, pool } = ctx;
  return Object.entries(OPS).map(([name, op]) =>
    nativeKernel(ctx, name, (backend, args) => {
      const x = args.inputs.x;
      const xv = ctx.values(backend, x);
      if (typeof xv === 'string') return xv;
      const shape = x!.shape;
      // Max names its axes reductionIndices; the others, axis.
      const axis = (name === 'Max' ? args.attrs?.reductionIndices : args.attrs?.axis) as number | number[];
      const axes = tf.util.parseAxisParam(axis, shape);
      const view = reductionView(shape, axes);
      if (view === undefined) return 'reduced axes not contiguous';
      if (view.reduce === 0 || xv.length === 0) return 'empty tensor';
      const [outShape] = tf.backend_util.computeOutAndReduceShapes(shape, axes);
      const finalShape = args.attrs?.keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
      const out = pool.take(size(outShape));
      addon.reduce(op, xv, out, view.outer, view.reduce, view.inner);
      return ctx.output(backend, finalShape, out);
    }),
  );
}

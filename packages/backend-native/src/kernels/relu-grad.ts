// The gradient of Relu as one kernel. tfjs computes it as mul(dy, cast(step(x))): three kernels
// and two full-size temporaries per ReLU, for every ReLU of a network. While the native kernels
// are registered, Relu's gradient runs SempairReluGrad (dy·step(x), the same numbers) on the cpu
// backend, and tfjs' own gradient everywhere else.
import type * as tfc from '@tensorflow/tfjs-core';
import type { TfCore } from '../cpu-backend.js';
import { nativeKernel, type KernelContext } from '../kernel-context.js';

export const RELU_GRAD = 'SempairReluGrad';
const RELU_GRAD_OP = 8; // native/elementwise.cc's kReluGrad

export function reluGradKernels(ctx: KernelContext) {
  const { addon, pool } = ctx;
  const reluGrad = nativeKernel(ctx, RELU_GRAD, (backend, args) => {
    const { dy, x } = args.inputs;
    const dyv = ctx.values(backend, dy);
    const xv = ctx.values(backend, x);
    if (typeof dyv === 'string') return dyv;
    if (typeof xv === 'string') return xv;
    if (dyv.length !== xv.length) return 'dy and x differ in size';
    const out = pool.take(xv.length);
    const flat = Int32Array.from([xv.length]);
    const one = Int32Array.from([1]);
    if (out.length > 0) addon.binary(RELU_GRAD_OP, dyv, xv, out, flat, one, one);
    return ctx.output(backend, [...x!.shape], out);
  });
  return [reluGrad];
}

/** Points Relu's gradient at SempairReluGrad on the cpu backend; returns the undo. */
export function overrideReluGradient(tf: TfCore, ctx: KernelContext): () => void {
  const original = tf.getGradient('Relu');
  if (original === undefined) return () => {};
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as tfc.Tensor[];
      const fused = ctx.enabled && tf.engine().backendName === 'cpu' && x!.dtype === 'float32' && (dy as tfc.Tensor).dtype === 'float32';
      if (!fused) return original.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: dy as tfc.Tensor, x: x! }) as tfc.Tensor };
    },
  });
  return () => tf.registerGradient(original);
}

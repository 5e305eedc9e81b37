// BatchMatMul and _FusedMatMul on oneDNN's sgemm.
import type { CpuBackend, KernelArgs, TensorInfo } from '../cpu-backend.js';
import { nativeKernel, size, type KernelContext } from '../kernel-context.js';
import { ACTIVATIONS, isRowBias } from './activations.js';

export function matMulKernels(ctx: KernelContext) {
  const { tf, addon, pool } = ctx;

  const product = (backend: CpuBackend, args: KernelArgs): { out: TensorInfo; values: Float32Array; n: number } | string => {
    const { a, b } = args.inputs;
    const av = ctx.values(backend, a);
    const bv = ctx.values(backend, b);
    if (typeof av === 'string') return av;
    if (typeof bv === 'string') return bv;
    const ta = Boolean(args.attrs?.transposeA);
    const tb = Boolean(args.attrs?.transposeB);
    const aShape = a!.shape;
    const bShape = b!.shape;
    if (aShape.length < 2 || bShape.length < 2) return 'rank below 2';
    const m = ta ? aShape.at(-1)! : aShape.at(-2)!;
    const k = ta ? aShape.at(-2)! : aShape.at(-1)!;
    const n = tb ? bShape.at(-2)! : bShape.at(-1)!;
    if ((tb ? bShape.at(-1)! : bShape.at(-2)!) !== k) return 'inner dimensions differ';
    const batchShapeA = aShape.slice(0, -2);
    const batchShapeB = bShape.slice(0, -2);
    const batchA = size(batchShapeA);
    const batchB = size(batchShapeB);
    const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(batchShapeA, batchShapeB);
    // sgemm over a batch: equal batch shapes, or one side a single matrix used for every batch.
    const same = batchShapeA.length === batchShapeB.length && batchShapeA.every((d, i) => d === batchShapeB[i]);
    if (!same && batchA !== 1 && batchB !== 1) return 'partial batch broadcast';
    if (m === 0 || n === 0 || size(outBatch) === 0) return 'empty tensor';
    const outShape = [...outBatch, m, n];
    const out = pool.take(size(outShape));
    if (k === 0) out.fill(0);
    else addon.matMul(av, bv, out, batchA, batchB, m, n, k, ta ? 1 : 0, tb ? 1 : 0);
    return { out: ctx.output(backend, outShape, out), values: out, n };
  };

  const batchMatMul = nativeKernel(ctx, 'BatchMatMul', (backend, args) => {
    const result = product(backend, args);
    return typeof result === 'string' ? result : result.out;
  });

  const fusedMatMul = nativeKernel(ctx, '_FusedMatMul', (backend, args) => {
    const { bias, preluActivationWeights } = args.inputs;
    const activation = ACTIVATIONS[String(args.attrs?.activation ?? 'linear')];
    if (activation === undefined) return `activation ${String(args.attrs?.activation)}`;
    if (preluActivationWeights !== undefined) return 'prelu weights';
    let biasValues: Float32Array | null = null;
    if (bias !== undefined) {
      const bv = ctx.values(backend, bias);
      if (typeof bv === 'string') return `bias ${bv}`;
      const b = args.inputs.b!;
      const n = args.attrs?.transposeB ? b.shape.at(-2)! : b.shape.at(-1)!;
      if (!isRowBias(bias.shape, n)) return 'bias not per column';
      biasValues = bv;
    }
    const result = product(backend, args);
    if (typeof result === 'string') return result;
    addon.biasActivation(result.values, biasValues, result.values.length / result.n, result.n, activation, Number(args.attrs?.leakyreluAlpha ?? 0));
    return result.out;
  });

  return [batchMatMul, fusedMatMul];
}

// Training-mode batch normalisation as two fused kernels, for @sempair/core's BatchNorm.
//
// The kernel names are the contract with core (packages/core/src/nn/fused-batch-norm.ts): when
// the active backend has both registered, core's BatchNorm calls them instead of composing its
// forward and hand-written backward from separate ops.
//   SempairBatchNormTraining      {x, gamma?, beta?} {epsilon} → [y, mean, variance, rstd]
//   SempairBatchNormTrainingGrad  {dy, x, mean, rstd, gamma?}  → [dx] or [dx, dGamma, dBeta]
// Statistics are over every axis but the last; variance is the biased batch variance.
import { nativeKernel, type KernelContext } from '../kernel-context.js';

export const BATCH_NORM_TRAINING = 'SempairBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'SempairBatchNormTrainingGrad';

export function batchNormKernels(ctx: KernelContext) {
  const { addon, pool } = ctx;

  const forward = nativeKernel(ctx, BATCH_NORM_TRAINING, (backend, args) => {
    const { x, gamma, beta } = args.inputs;
    const xv = ctx.values(backend, x);
    if (typeof xv === 'string') return xv;
    const c = x!.shape.at(-1)!;
    const gv = gamma === undefined ? null : ctx.values(backend, gamma);
    const bv = beta === undefined ? null : ctx.values(backend, beta);
    if (typeof gv === 'string') return `gamma ${gv}`;
    if (typeof bv === 'string') return `beta ${bv}`;
    if ((gv !== null && gv.length !== c) || (bv !== null && bv.length !== c)) return 'gamma/beta not per channel';
    if (c === 0 || xv.length === 0) return 'empty tensor';
    const y = pool.take(xv.length);
    const mean = pool.take(c);
    const variance = pool.take(c);
    const rstd = pool.take(c);
    addon.batchNormForward(xv, gv, bv, y, mean, variance, rstd, xv.length / c, c, Number(args.attrs?.epsilon ?? 1e-5));
    return [
      ctx.output(backend, [...x!.shape], y),
      ctx.output(backend, [c], mean),
      ctx.output(backend, [c], variance),
      ctx.output(backend, [c], rstd),
    ];
  });

  const backward = nativeKernel(ctx, BATCH_NORM_TRAINING_GRAD, (backend, args) => {
    const { dy, x, mean, rstd, gamma } = args.inputs;
    const vs = [dy, x, mean, rstd].map((t) => ctx.values(backend, t));
    const bad = vs.find((v) => typeof v === 'string');
    if (bad !== undefined) return bad as string;
    const [dyv, xv, mv, rv] = vs as Float32Array[];
    const gv = gamma === undefined ? null : ctx.values(backend, gamma);
    if (typeof gv === 'string') return `gamma ${gv}`;
    const c = x!.shape.at(-1)!;
    if (dyv!.length !== xv!.length || mv!.length !== c || rv!.length !== c || (gv !== null && gv.length !== c)) return 'shapes differ';
    const dx = pool.take(xv!.length);
    const dGamma = gv === null ? null : pool.take(c);
    const dBeta = gv === null ? null : pool.take(c);
    addon.batchNormBackward(dyv!, xv!, mv!, rv!, gv, dx, dGamma, dBeta, xv!.length / c, c);
    const dxInfo = ctx.output(backend, [...x!.shape], dx);
    if (dGamma === null || dBeta === null) return [dxInfo];
    return [dxInfo, ctx.output(backend, [c], dGamma), ctx.output(backend, [c], dBeta)];
  });

  return [forward, backward];
}

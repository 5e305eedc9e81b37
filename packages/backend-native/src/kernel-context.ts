// What every native kernel needs: the addon, the tfjs instance, output buffers, and the stock
// kernel to hand anything it does not handle to.
import type { NativeAddon } from './addon.js';
import type { BufferPool } from './buffer-pool.js';
import type { CpuBackend, KernelArgs, KernelFunction, KernelResult, TensorInfo, TfCore } from './cpu-backend.js';

/** Calls and fallbacks per kernel since the last reset. */
export interface KernelStats {
  native: number;
  fallback: number;
  /** Why calls fell back, with counts (e.g. "dtype int32": 3). */
  reasons: Record<string, number>;
}

export class KernelContext {
  /** While false, every override hands its call to the stock kernel (tests compare both). */
  enabled = true;
  readonly stats = new Map<string, KernelStats>();
  private readonly stock = new Map<string, KernelFunction>();

  constructor(
    readonly tf: TfCore,
    readonly addon: NativeAddon,
    readonly pool: BufferPool,
  ) {}

  setStock(kernelName: string, kernelFunc: KernelFunction | undefined): void {
    if (kernelFunc !== undefined) this.stock.set(kernelName, kernelFunc);
  }

  private count(kernelName: string): KernelStats {
    let s = this.stats.get(kernelName);
    if (s === undefined) this.stats.set(kernelName, (s = { native: 0, fallback: 0, reasons: {} }));
    return s;
  }

  /** Records a native call. */
  ran(kernelName: string): void {
    this.count(kernelName).native++;
  }

  /** Hands the call to the stock cpu kernel, recording why. */
  fallback(kernelName: string, args: KernelArgs, reason: string): KernelResult {
    const s = this.count(kernelName);
    s.fallback++;
    s.reasons[reason] = (s.reasons[reason] ?? 0) + 1;
    const stock = this.stock.get(kernelName);
    if (stock === undefined) throw new Error(`sempair native ${kernelName}: ${reason}, and there is no stock kernel to fall back to`);
    return stock(args);
  }

  /** The stock kernel, when one exists (tests). */
  stockKernel(kernelName: string): KernelFunction | undefined {
    return this.stock.get(kernelName);
  }

  /** A float32 tensor's values, or why the native kernel cannot take it. */
  values(backend: CpuBackend, info: TensorInfo | undefined): Float32Array | string {
    if (info === undefined) return 'missing input';
    if (info.dtype !== 'float32') return `dtype ${info.dtype}`;
    const values = backend.data.get(info.dataId).values;
    if (!(values instanceof Float32Array)) return 'values not a Float32Array';
    return values;
  }

  /** A tensor of `shape` over a buffer that the kernel has filled. */
  output(backend: CpuBackend, shape: number[], values: Float32Array): TensorInfo {
    return backend.makeTensorInfo(shape, 'float32', values);
  }
}

/** Builds a kernel: `body` returns its result, or a string saying why it falls back. */
export function nativeKernel(
  ctx: KernelContext,
  kernelName: string,
  body: (backend: CpuBackend, args: KernelArgs) => KernelResult | string,
): { kernelName: string; kernelFunc: KernelFunction } {
  const kernelFunc: KernelFunction = (args) => {
    // Disabled overrides defer to stock; kernels with no stock counterpart (batch norm) still run.
    if (!ctx.enabled && ctx.stockKernel(kernelName) !== undefined) return ctx.fallback(kernelName, args, 'native kernels disabled');
    const result = body(args.backend as CpuBackend, args);
    if (typeof result === 'string') return ctx.fallback(kernelName, args, result);
    ctx.ran(kernelName);
    return result;
  };
  return { kernelName, kernelFunc };
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

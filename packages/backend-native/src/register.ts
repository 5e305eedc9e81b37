// Registering the native kernels as overrides on tfjs' 'cpu' backend, and undoing it.
import { totalmem } from 'node:os';
import { loadAddon, WAIT_POLICY, type AddonInfo } from './addon.js';
import { BufferPool } from './buffer-pool.js';
import type { CpuBackend, KernelFunction, TfCore } from './cpu-backend.js';
import { KernelContext, type KernelStats } from './kernel-context.js';
import { batchNormKernels } from './kernels/batch-norm.js';
import { compareKernels } from './kernels/compare.js';
import { convKernels } from './kernels/conv.js';
import { elementwiseKernels } from './kernels/elementwise.js';
import { imageKernels } from './kernels/image.js';
import { matMulKernels } from './kernels/matmul.js';
import { poolKernels } from './kernels/pool.js';
import { reduceKernels } from './kernels/reduce.js';
import { overrideReluGradient, reluGradKernels } from './kernels/relu-grad.js';
import { transposeKernels } from './kernels/transpose.js';

export interface RegisterOptions {
  /** Threads of the one OpenMP pool that oneDNN and every kernel share (default: all cores). */
  threads?: number;
  /** Most bytes of disposed output buffers kept for reuse (default 1/8 of memory, ≤ 4 GiB). */
  maxPooledBytes?: number;
  /** Fill reused output buffers with NaN first (tests: catches a kernel that skips an element). */
  poisonReusedBuffers?: boolean;
}

export interface NativeKernels {
  /** Every kernel name registered for 'cpu' (overrides, plus the batch-norm and ReLU-gradient kernels). */
  readonly kernels: readonly string[];
  readonly threads: number;
  readonly info: AddonInfo;
  /** OpenMP's wait policy ('passive' unless OMP_WAIT_POLICY says otherwise). */
  readonly waitPolicy: string;
  /** One line for people: library, instruction set, threads. */
  readonly description: string;
  /** Native calls and fallbacks per kernel since registration (or the last reset). */
  stats(): Record<string, KernelStats>;
  resetStats(): void;
  /** Runs fn with every override deferring to the stock kernel (to compare the two). */
  withStockKernels<T>(fn: () => T): T;
  /** Output buffers handed out and how many were reused. */
  poolStats(): { taken: number; reused: number; heldBytes: number };
  /** Puts the stock kernels and the cpu backend's own methods back. */
  unregister(): void;
}

let active: NativeKernels | undefined;

/**
 * Registers the native kernels on tfjs' 'cpu' backend of `tf` (the caller's tfjs instance),
 * which must already be initialised (tf.setBackend('cpu')). Throws when the addon is
 * unavailable (check addonStatus() first). Registering again returns the active registration.
 */
export function registerNativeKernels(tf: TfCore, options: RegisterOptions = {}): NativeKernels {
  if (active !== undefined) return active;
  const { addon, status } = loadAddon();
  if (addon === undefined) throw new Error(`sempair native kernels: ${status.detail}`);
  const backend = tf.findBackend('cpu') as unknown as CpuBackend | null;
  if (backend == null) throw new Error("sempair native kernels: tfjs' cpu backend is not initialised (tf.setBackend('cpu') first)");
  if (options.threads !== undefined) addon.setThreads(options.threads);
  const info = addon.info();

  const pool = new BufferPool({
    maxFreeBytes: options.maxPooledBytes ?? Math.min(4 * 2 ** 30, totalmem() / 8),
    poison: options.poisonReusedBuffers,
  });
  const ctx = new KernelContext(tf, addon, pool);
  const allConfigs = [
    ...convKernels(ctx),
    ...matMulKernels(ctx),
    ...elementwiseKernels(ctx),
    ...reduceKernels(ctx),
    ...transposeKernels(ctx),
    ...poolKernels(ctx),
    ...imageKernels(ctx),
    ...compareKernels(ctx),
    ...batchNormKernels(ctx),
    ...reluGradKernels(ctx),
  ];
  // SEMPAIR_NATIVE_SKIP=Kernel,… leaves those kernels to the stock cpu ones (to isolate a fault).
  const skip = new Set((process.env.SEMPAIR_NATIVE_SKIP ?? '').split(',').map((name) => name.trim()).filter(Boolean));
  const configs = allConfigs.filter((config) => !skip.has(config.kernelName));
  const stock = new Map<string, ReturnType<TfCore['getKernel']>>();
  for (const config of configs) {
    const existing = tf.getKernel(config.kernelName, 'cpu');
    stock.set(config.kernelName, existing);
    ctx.setStock(config.kernelName, existing?.kernelFunc as KernelFunction | undefined);
    if (existing !== undefined) tf.unregisterKernel(config.kernelName, 'cpu');
    tf.registerKernel({ kernelName: config.kernelName, backendName: 'cpu', kernelFunc: config.kernelFunc as never });
  }
  pool.install(backend);
  const restoreReluGradient = overrideReluGradient(tf, ctx);

  const registration: NativeKernels = {
    kernels: configs.map((c) => c.kernelName),
    threads: info.threads,
    info,
    waitPolicy: WAIT_POLICY,
    description: `oneDNN ${info.onednn} (${info.isa}), ${info.threads} OpenMP thread${info.threads === 1 ? '' : 's'}, ${WAIT_POLICY} wait`,
    stats: () => Object.fromEntries(ctx.stats),
    resetStats: () => ctx.stats.clear(),
    withStockKernels<T>(fn: () => T): T {
      const was = ctx.enabled;
      ctx.enabled = false;
      try {
        return fn();
      } finally {
        ctx.enabled = was;
      }
    },
    poolStats: () => ({ taken: pool.taken, reused: pool.reused, heldBytes: pool.heldBytes }),
    unregister() {
      if (active !== registration) return;
      for (const config of configs) {
        tf.unregisterKernel(config.kernelName, 'cpu');
        const original = stock.get(config.kernelName);
        if (original !== undefined) tf.registerKernel(original);
      }
      restoreReluGradient();
      pool.uninstall();
      active = undefined;
    },
  };
  active = registration;
  return registration;
}

/** The registration in effect, if any. */
export function activeNativeKernels(): NativeKernels | undefined {
  return active;
}

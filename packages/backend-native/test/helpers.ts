// Shared by the native-kernel tests: registration once per test file, comparison with the stock
// cpu kernels, and tests that show as skipped, with the reason, where the addon is not built.
import test, { type ExecutionContext } from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// Registers every kernel's gradient (tfjs-core's Node entry ships without them).
import '@tensorflow/tfjs';
import { addonStatus, registerNativeKernels, type NativeKernels } from '../src/index.js';

export { tf };

const status = addonStatus();
export const nativeAvailable = status.available;
const skipReason = status.available ? '' : ` [skipped: ${status.detail}; fix: ${status.fix}]`;

let registration: NativeKernels | undefined;

/** The registration (cpu backend, 2 threads, reused buffers poisoned with NaN). */
export async function native(): Promise<NativeKernels> {
  if (registration === undefined) {
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
    await tf.ready();
    registration = registerNativeKernels(tf, { threads: 2, poisonReusedBuffers: true });
  }
  return registration;
}

/** A serial test that needs the addon; where it is absent the report shows it skipped, with why. */
export function nativeTest(title: string, body: (t: ExecutionContext, k: NativeKernels) => Promise<void> | void): void {
  if (!nativeAvailable) {
    test.skip(`${title}${skipReason}`, () => {});
    return;
  }
  test.serial(title, async (t) => body(t, await native()));
}

export interface Outputs {
  shapes: number[][];
  values: Float32Array[];
}

/** Runs fn and copies out every result (fn's tensors are disposed). */
export function evaluate(fn: () => tf.Tensor | tf.Tensor[]): Outputs {
  return tf.tidy(() => {
    const out = fn();
    const list = Array.isArray(out) ? out : [out];
    return { shapes: list.map((o) => o.shape), values: list.map((o) => Float32Array.from(o.dataSync() as Float32Array)) };
  });
}

/** Largest |a − b| over max(1, |b|), NaN where b is NaN must match. */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) return Number.POSITIVE_INFINITY;
      continue;
    }
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a !== e) return Number.POSITIVE_INFINITY;
      continue;
    }
    diff = Math.max(diff, Math.abs(a - e));
    scale = Math.max(scale, Math.abs(e));
  }
  return diff / scale;
}

/**
 * Runs fn natively and with the stock kernels; asserts equal shapes, values within `tolerance`,
 * and that `kernel` really ran natively (not through its fallback).
 */
export function matchesStock(
  t: ExecutionContext,
  k: NativeKernels,
  label: string,
  fn: () => tf.Tensor | tf.Tensor[],
  tolerance: number,
  kernel?: string,
): void {
  k.resetStats();
  const got = evaluate(fn);
  const ran = kernel === undefined ? undefined : k.stats()[kernel];
  const want = k.withStockKernels(() => evaluate(fn));
  t.deepEqual(got.shapes, want.shapes, `${label}: shapes`);
  got.values.forEach((values, i) => {
    const error = relativeError(values, want.values[i]!);
    t.true(error <= tolerance, `${label}: output ${i} differs from the stock kernel by ${error} (tolerance ${tolerance})`);
  });
  if (kernel !== undefined) {
    t.true((ran?.native ?? 0) > 0, `${label}: ${kernel} did not run natively (${JSON.stringify(ran)})`);
  }
}

/** Seeded normal values. */
export function normal(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

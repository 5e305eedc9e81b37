// A backend that broke mid-run: a lost GPU device, an uncaptured GPU error, out of memory.
//
// After such a failure the backend's numbers cannot be trusted (WebGPU keeps accepting work on
// a lost device and returns zeros or garbage), so a training run must stop without saving
// another checkpoint. Backends report failures here as they happen (WebGPU's `device.lost`
// and `uncapturederror`), and errors thrown by a kernel are classified by `asBackendFailure`.

/** What broke, on which backend, in one line. */
export class BackendFailure extends Error {
  readonly backend: string;
  constructor(backend: string, reason: string) {
    super(`the ${backend} backend failed: ${reason}`);
    this.name = 'BackendFailure';
    this.backend = backend;
  }
}

export function isBackendFailure(error: unknown): error is BackendFailure {
  return error instanceof Error && error.name === 'BackendFailure' && 'backend' in error;
}

let failure: BackendFailure | undefined;

/**
 * Records that `backend` broke. The first failure wins: a lost device is usually followed by a
 * burst of errors that only repeat it.
 */
export function reportBackendFailure(backend: string, reason: string): BackendFailure {
  failure ??= new BackendFailure(backend, reason);
  return failure;
}

/** The failure recorded since the backend was initialised, if any. */
export function backendFailure(): BackendFailure | undefined {
  return failure;
}

/** Forgets a recorded failure; called when a backend is (re)initialised. */
export function clearBackendFailure(): void {
  failure = undefined;
}

// Messages engines use when they run out of memory or lose their device: tfjs-node
// ("OOM when allocating tensor", "failed to allocate"), wasm ("Aborted(OOM)", "Cannot
// enlarge memory"), WebGPU ("Device is lost", "out of memory").
const FAILURE_PATTERNS = [
  /\bOOM\b/,
  /out of memory/i,
  /failed to allocate/i,
  /cannot enlarge memory/i,
  /device (is|was) lost/i,
  /\bdevice lost\b/i,
];

/**
 * The backend failure behind `error`: the one recorded (an error thrown after the device was
 * lost is a consequence of it), or `error` itself when its message says the engine ran out of
 * memory or lost its device. Undefined for ordinary errors (bugs, bad input).
 */
export function asBackendFailure(error: unknown, backend: string): BackendFailure | undefined {
  if (isBackendFailure(error)) return error;
  if (failure !== undefined) return failure;
  const message = error instanceof Error ? error.message : String(error);
  const line = (message.split('\n')[0] ?? '').trim();
  return FAILURE_PATTERNS.some((pattern) => pattern.test(message)) ? reportBackendFailure(backend, line) : undefined;
}

/**
 * Like asBackendFailure, but first lets pending GPU events arrive: a read from a lost WebGPU
 * device can reject (with an empty message) a moment before the device's `lost` promise settles.
 */
export async function settleBackendFailure(error: unknown, backend: string): Promise<BackendFailure | undefined> {
  const now = asBackendFailure(error, backend);
  if (now !== undefined || backend !== 'webgpu') return now;
  await new Promise((resolve) => setTimeout(resolve, 50));
  return asBackendFailure(error, backend);
}

// The WebGPU backend (@tensorflow/tfjs-backend-webgpu) in plain Node, on Dawn (npm `webgpu`).
//
// tfjs-backend-webgpu registers its backend at import only if `navigator.gpu` exists, and
// asks for whatever adapter the browser gives it. Under Node there is no navigator, so
// sempair installs Dawn's globals (GPUBufferUsage, …), imports the backend (its kernels
// register; its own factory does not), sets `navigator.gpu`, and registers a factory of its
// own around an adapter it has looked at: `auto` takes WebGPU only on a hardware GPU, while
// `--backend webgpu` also runs on a software adapter (Mesa's lavapipe: how CI tests it).
// The device's `lost` promise and `uncapturederror` events are reported as backend failures,
// so a run stops instead of training on the zeros a lost device returns.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendCandidate } from './backend-info.js';
import { clearBackendFailure, reportBackendFailure } from './backend-failure.js';
import { packageVersion } from './package-version.js';
import { diagnoseNoAdapter, findVulkanDrivers, gpuDeviceNodes } from './vulkan-drivers.js';
import { adapterLine, describeAdapter, type AdapterInfoLike, type WebgpuAdapterFacts } from './webgpu-adapter.js';

export const WEBGPU_PACKAGES = { dawn: 'webgpu', backend: '@tensorflow/tfjs-backend-webgpu' } as const;

const INSTALL_FIX = `install both (optional dependencies of @sempair/core): pnpm add ${WEBGPU_PACKAGES.dawn}@0.6.2 ${WEBGPU_PACKAGES.backend}@4.22.0`;

// The slices of the WebGPU API used here (the package's own types are optional, like it).
interface GpuDevice {
  readonly lost: Promise<{ reason: string; message: string }>;
  onuncapturederror: ((event: { error: { message: string; constructor: { name: string } } }) => void) | null;
  destroy(): void;
}
interface GpuAdapter {
  readonly info?: AdapterInfoLike;
  readonly isFallbackAdapter?: boolean;
  readonly features: ReadonlySet<string>;
  readonly limits: Record<string, number>;
  requestDevice(descriptor?: object): Promise<GpuDevice>;
}
interface Gpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapter | null>;
}
interface DawnModule {
  create(flags: string[]): Gpu;
  globals: Record<string, unknown>;
}
interface WebgpuBackendModule {
  WebGPUBackend: new (device: GpuDevice, adapterInfo?: AdapterInfoLike) => tf.KernelBackend & { readSync(dataId: object): unknown };
}

interface Loaded {
  gpu: Gpu;
  backend: WebgpuBackendModule;
  label: string;
}

/** Why the packages cannot be used, for doctor and for the `--backend webgpu` error. */
interface LoadFailure {
  detail: string;
  fix: string;
}

let loading: Promise<Loaded | LoadFailure> | undefined;
let device: GpuDevice | undefined;
let activeAdapter: WebgpuAdapterFacts | undefined;
// Devices sempair destroyed itself: their `lost` promise is not a failure.
const released = new WeakSet<GpuDevice>();

function firstLine(error: unknown): string {
  return ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').trim();
}

function notInstalled(error: unknown, pkg: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && firstLine(error).includes(pkg);
}

/** `navigator.gpu = gpu`, on Node 20 (no navigator) and on Node 21+ (a navigator without gpu). */
function setNavigatorGpu(gpu: Gpu): void {
  const holder = globalThis as { navigator?: object };
  if (holder.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  }
  Object.defineProperty(holder.navigator!, 'gpu', { value: gpu, configurable: true, writable: true });
}

/**
 * Synchronous reads (dataSync, arraySync) cannot wait for a GPU in Node: tfjs-backend-webgpu
 * reads synchronously through an OffscreenCanvas, which Node lacks, and fails with
 * "OffscreenCanvas is not defined". Say what to do instead; data already on the CPU still reads.
 */
function guardSyncReads(module: WebgpuBackendModule): void {
  if (typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined') return;
  const proto = module.WebGPUBackend.prototype as {
    readSync(dataId: object): unknown;
    tensorMap: { get(dataId: object): { values?: unknown; dtype: string } | undefined };
    sempairGuarded?: boolean;
  };
  if (proto.sempairGuarded) return;
  const original = proto.readSync;
  proto.readSync = function (this: typeof proto, dataId: object) {
    const data = this.tensorMap.get(dataId);
    if (data === undefined || data.values != null || data.dtype === 'string' || data.dtype === 'complex64') {
      return original.call(this, dataId);
    }
    throw new Error(
      'the webgpu backend cannot read GPU data synchronously under Node (dataSync, arraySync, bufferSync); use await tensor.data() or tensor.array()',
    );
  };
  proto.sempairGuarded = true;
}

async function load(): Promise<Loaded | LoadFailure> {
  let dawn: DawnModule;
  try {
    dawn = (await import(WEBGPU_PACKAGES.dawn)) as DawnModule;
  } catch (error) {
    if (notInstalled(error, WEBGPU_PACKAGES.dawn)) return { detail: `the npm package ${WEBGPU_PACKAGES.dawn} (Dawn) is not installed`, fix: INSTALL_FIX };
    return {
      detail: `${WEBGPU_PACKAGES.dawn} (Dawn's dawn.node) failed to load: ${firstLine(error)}`,
      fix: `Dawn's prebuilt binary needs Linux x64/arm64 with glibc 2.31+, macOS or Windows: reinstall it with pnpm install`,
    };
  }
  // GPUBufferUsage, GPUMapMode, … are globals in a browser; the backend reads them as such.
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  let backend: WebgpuBackendModule;
  try {
    // Imported before navigator.gpu exists, so it registers its kernels but not its own factory.
    backend = (await import(WEBGPU_PACKAGES.backend)) as WebgpuBackendModule;
  } catch (error) {
    if (notInstalled(error, WEBGPU_PACKAGES.backend)) return { detail: `${WEBGPU_PACKAGES.backend} is not installed`, fix: INSTALL_FIX };
    return { detail: `${WEBGPU_PACKAGES.backend} failed to load: ${firstLine(error)}`, fix: 'reinstall dependencies: pnpm install' };
  }
  if (tf.getKernel(tf.BatchMatMul, 'webgpu') === undefined) {
    return {
      detail: `${WEBGPU_PACKAGES.backend} registered its kernels with another copy of @tensorflow/tfjs-core`,
      fix: `make sure ${WEBGPU_PACKAGES.backend} and @sempair/core resolve the same @tensorflow/tfjs-core (pnpm dedupe)`,
    };
  }
  guardSyncReads(backend);
  let gpu: Gpu;
  try {
    gpu = dawn.create([]);
  } catch (error) {
    return { detail: `Dawn could not start: ${firstLine(error)}`, fix: 'check the GPU driver, or choose another backend' };
  }
  setNavigatorGpu(gpu);
  const label = `${WEBGPU_PACKAGES.backend} ${packageVersion(WEBGPU_PACKAGES.backend) ?? '?'} on Dawn (${WEBGPU_PACKAGES.dawn} ${packageVersion(WEBGPU_PACKAGES.dawn) ?? '?'})`;
  return { gpu, backend, label };
}

function loadOnce(): Promise<Loaded | LoadFailure> {
  loading ??= load();
  return loading;
}

function isLoaded(value: Loaded | LoadFailure): value is Loaded {
  return 'gpu' in value;
}

/** The adapter the backend would use: the high-performance one, as tfjs itself asks for. */
async function requestAdapter(gpu: Gpu): Promise<{ adapter: GpuAdapter; facts: WebgpuAdapterFacts } | LoadFailure> {
  let adapter: GpuAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { detail: `WebGPU's requestAdapter failed: ${firstLine(error)}`, fix: 'check the GPU driver, or choose another backend' };
  }
  if (adapter === null) return diagnoseNoAdapter(findVulkanDrivers());
  return { adapter, facts: describeAdapter(adapter.info ?? {}, adapter.isFallbackAdapter) };
}

const AUTO_SKIP =
  'auto uses WebGPU only on a hardware GPU; on a software adapter wasm is faster (pass --backend webgpu to use it anyway)';

function candidate(label: string, facts: WebgpuAdapterFacts): BackendCandidate {
  return {
    name: 'webgpu',
    available: true,
    detail: `${label}: ${adapterLine(facts)}`,
    adapter: facts,
    ...(facts.software ? { autoSkip: `${facts.kind}; ${AUTO_SKIP}` } : {}),
  };
}

function unavailable(failure: LoadFailure): BackendCandidate {
  return { name: 'webgpu', available: false, detail: failure.detail, fix: failure.fix };
}

/** Whether WebGPU can run here and on what adapter, without creating a device. */
export async function probeWebgpu(): Promise<BackendCandidate> {
  const loaded = await loadOnce();
  if (!isLoaded(loaded)) return unavailable(loaded);
  if (device !== undefined && activeAdapter !== undefined) return candidate(loaded.label, activeAdapter);
  const found = await requestAdapter(loaded.gpu);
  if (!('adapter' in found)) return unavailable(found);
  return candidate(loaded.label, found.facts);
}

/** The device the tfjs backend would ask for: every limit the adapter has (as tfjs does). */
function deviceDescriptor(adapter: GpuAdapter): object {
  const limits = adapter.limits;
  const names = [
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup',
  ];
  return { requiredFeatures: [], requiredLimits: Object.fromEntries(names.map((n) => [n, limits[n]])) };
}

function watch(dev: GpuDevice): void {
  void dev.lost.then((info) => {
    if (released.has(dev)) return;
    reportBackendFailure('webgpu', `the GPU device was lost (${info.reason}): ${firstLine(info.message)}`);
  });
  dev.onuncapturederror = (event) => {
    reportBackendFailure('webgpu', `uncaptured ${event.error.constructor.name}: ${firstLine(event.error.message)}`);
  };
}

/**
 * Creates the device, registers the 'webgpu' backend around it and switches tfjs to it.
 * `requireHardware` (auto) declines a software adapter without creating a device.
 */
export async function activateWebgpu(requireHardware: boolean): Promise<BackendCandidate> {
  // Without a GPU device node there is no hardware adapter to find, so auto spares itself
  // loading Dawn (and lavapipe's start-up warnings on stderr).
  if (requireHardware && device === undefined && process.platform === 'linux' && gpuDeviceNodes().length === 0) {
    return {
      name: 'webgpu',
      available: false,
      detail: 'no GPU device node (/dev/dri/renderD*, /dev/nvidia*), so no hardware adapter; sempair doctor lists software ones',
      fix: "install the GPU's driver (NVIDIA: also libvulkan1 and its Vulkan ICD), or pass --backend webgpu for a software adapter",
    };
  }
  const loaded = await loadOnce();
  if (!isLoaded(loaded)) return unavailable(loaded);
  if (device === undefined || tf.findBackendFactory('webgpu') == null) {
    const found = await requestAdapter(loaded.gpu);
    if (!('adapter' in found)) return unavailable(found);
    const probe = candidate(loaded.label, found.facts);
    if (requireHardware && found.facts.software) return probe;
    let created: GpuDevice;
    try {
      created = await found.adapter.requestDevice(deviceDescriptor(found.adapter));
    } catch (error) {
      return { ...probe, available: false, detail: `${probe.detail}: requestDevice failed: ${firstLine(error)}`, fix: 'check the GPU driver, or choose another backend' };
    }
    watch(created);
    device = created;
    activeAdapter = found.facts;
    const info = found.adapter.info;
    if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu');
    // Priority 0: never picked by tfjs on its own, only when asked for by name.
    tf.registerBackend('webgpu', () => new loaded.backend.WebGPUBackend(created, info), 0);
  }
  const facts = activeAdapter!;
  const result = candidate(loaded.label, facts);
  if (requireHardware && facts.software) return result;
  if (!(await tf.setBackend('webgpu'))) {
    return { ...result, available: false, detail: `${result.detail}: the backend failed to initialise (see the warning above)`, fix: 'choose another backend' };
  }
  await tf.ready();
  clearBackendFailure();
  return result;
}

/** The adapter of the device in use, if WebGPU was activated. */
export function activeWebgpuAdapter(): WebgpuAdapterFacts | undefined {
  return device === undefined ? undefined : activeAdapter;
}

/** The device in use (for tests that simulate a lost device by destroying it). */
export function activeWebgpuDevice(): { destroy(): void } | undefined {
  return device;
}

/**
 * Destroys the device and unregisters the backend, so that the next activation starts fresh
 * and Node can exit. The lost promise it resolves is not a failure.
 */
export function releaseWebgpu(): void {
  if (device === undefined) return;
  const dev = device;
  device = undefined;
  activeAdapter = undefined;
  released.add(dev);
  if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu');
  dev.destroy();
}

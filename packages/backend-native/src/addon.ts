// Loading the compiled addon (build/Release/sempair_native.node) and saying why it is missing.
//
// The addon is compiled when the package is installed (scripts/build-addon.mjs). A failed
// build never fails the installation: it leaves build/status.json naming what was missing,
// which is what `sempair doctor` reports, with the command that fixes it.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the addon's info() returns. */
export interface AddonInfo {
  onednn: string;
  /** The instruction set oneDNN dispatches to on this CPU, e.g. avx512_core. */
  isa: string;
  threads: number;
  openmp: number;
}

/** The addon's functions; argument lists are documented next to each in native/*.cc. */
export interface NativeAddon {
  info(): AddonInfo;
  setThreads(threads: number): void;
  conv2d(kind: 0 | 1 | 2, a: Float32Array, b: Float32Array, out: Float32Array, geometry: Int32Array): void;
  matMul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batchA: number,
    batchB: number,
    m: number,
    n: number,
    k: number,
    transposeA: number,
    transposeB: number,
  ): void;
  biasActivation(out: Float32Array, bias: Float32Array | null, rows: number, cols: number, activation: number, alpha: number): void;
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number, beta: number): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, dims: Int32Array, stridesA: Int32Array, stridesB: Int32Array): void;
  addN(out: Float32Array, ...inputs: Float32Array[]): void;
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, reduce: number, inner: number): void;
  transpose(x: Float32Array, out: Float32Array, dims: Int32Array, perm: Int32Array): void;
  pool(kind: number, a: Float32Array, b: Float32Array | null, out: Float32Array, geometry: Int32Array): void;
  batchNormForward(
    x: Float32Array,
    gamma: Float32Array | null,
    beta: Float32Array | null,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    rstd: Float32Array,
    rows: number,
    channels: number,
    epsilon: number,
  ): void;
  batchNormBackward(
    dy: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    gamma: Float32Array | null,
    dx: Float32Array,
    dGamma: Float32Array | null,
    dBeta: Float32Array | null,
    rows: number,
    channels: number,
  ): void;
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  compare(op: number, a: Float32Array, b: Float32Array, out: Uint8Array, dims: Int32Array, stridesA: Int32Array, stridesB: Int32Array): void;
  remap(x: Float32Array, out: Float32Array, outDims: Int32Array, inStrides: Int32Array, maps: Int32Array): void;
  cropAndResize(
    image: Float32Array,
    boxes: Float32Array,
    boxIndex: Int32Array,
    out: Float32Array,
    geometry: Int32Array,
    nearest: number,
    extrapolation: number,
  ): void;
}

/** Whether the addon can be used here, and if not, why and what fixes it. */
export interface AddonStatus {
  available: boolean;
  /** What was found (library and CPU), or what is missing. */
  detail: string;
  /** One command that makes it available. */
  fix?: string;
}

/** What scripts/build-addon.mjs records in build/status.json. */
interface BuildStatus {
  built: boolean;
  missing?: string;
  detail?: string;
  fix?: string;
}

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The command that (re)builds the addon of the package in `dir` once its requirements are installed. */
export function rebuildCommand(dir: string): string {
  return `node ${join(dir, 'scripts', 'build-addon.mjs')}`;
}

export const REBUILD_COMMAND = rebuildCommand(PACKAGE_DIR);

function readBuildStatus(dir: string): BuildStatus | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'build', 'status.json'), 'utf8')) as BuildStatus;
  } catch {
    return undefined;
  }
}

let loaded: { addon?: NativeAddon; status: AddonStatus } | undefined;

/**
 * OpenMP's wait policy, read by libgomp when the addon loads it: OMP_WAIT_POLICY when set, else
 * passive. Between two parallel kernels the JavaScript thread does the engine's bookkeeping;
 * actively spinning pool threads meanwhile compete with everything else on the machine, and when
 * the cores are oversubscribed a spinning barrier costs milliseconds per kernel (measured on a
 * loaded 2-core machine: 8 ms instead of 0.04 ms per parallel loop, training 4× slower).
 */
export const WAIT_POLICY = (process.env.OMP_WAIT_POLICY ?? 'passive').toLowerCase();

function loadWithWaitPolicy(addonPath: string): NativeAddon {
  const had = process.env.OMP_WAIT_POLICY;
  process.env.OMP_WAIT_POLICY = WAIT_POLICY;
  try {
    return createRequire(import.meta.url)(addonPath) as NativeAddon;
  } finally {
    // Only libgomp's start-up reads it; child processes keep the caller's environment.
    if (had === undefined) delete process.env.OMP_WAIT_POLICY;
    else process.env.OMP_WAIT_POLICY = had;
  }
}

/** Loads the addon of the package in `dir`, or says why it cannot; never throws. */
export function loadAddonFrom(dir: string): { addon?: NativeAddon; status: AddonStatus } {
  const addonPath = join(dir, 'build', 'Release', 'sempair_native.node');
  const rebuild = rebuildCommand(dir);
  if (!existsSync(addonPath)) {
    const build = readBuildStatus(dir);
    if (build !== undefined && !build.built) {
      return {
        status: {
          available: false,
          detail: `the native addon was not built: ${build.detail ?? build.missing ?? 'the build failed'}`,
          fix: build.fix ?? rebuild,
        },
      };
    }
    return {
      status: {
        available: false,
        detail:
          'the native addon was never built (its install script did not run: pnpm runs it only for packages allowed in onlyBuiltDependencies)',
        fix: rebuild,
      },
    };
  }
  try {
    const addon = loadWithWaitPolicy(addonPath);
    const info = addon.info();
    return {
      addon,
      status: { available: true, detail: `oneDNN ${info.onednn} (${info.isa}), OpenMP` },
    };
  } catch (error) {
    const line = ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').trim();
    const missingLibrary = /(lib[\w.+-]+\.so[\d.]*): cannot open shared object file/.exec(line);
    if (missingLibrary) {
      return {
        status: {
          available: false,
          detail: `the native addon cannot load ${missingLibrary[1]} (oneDNN's runtime library)`,
          fix: `install oneDNN (Debian/Ubuntu: sudo apt-get install -y libdnnl-dev), then ${rebuild}`,
        },
      };
    }
    return { status: { available: false, detail: `the native addon failed to load: ${line}`, fix: rebuild } };
  }
}

/** Loads this package's addon once per process; never throws. */
export function loadAddon(): { addon?: NativeAddon; status: AddonStatus } {
  loaded ??= loadAddonFrom(PACKAGE_DIR);
  return loaded;
}

/** Whether the addon can be used here, without registering anything. */
export function addonStatus(): AddonStatus {
  return loadAddon().status;
}

// Transform (tf.image.transform: the rotation augmentation) for the cpu and wasm backends.
//
// Two stock kernels are wrong in tfjs 4.22: the cpu one returns from inside its loop over the
// batch, so only the first image is transformed and the others come back as fillValue (a
// rotated batch was one image and B−1 blank frames); the wasm one maps negative coordinates
// wrongly in 'reflect' mode (it wraps instead of mirroring). webgpu is right. This is
// TensorFlow's algorithm (tensorflow/core/kernels/image/image_ops.h, as tfjs ports it), over the
// whole batch; cpu uses it always, wasm for 'reflect' (its other modes agree with it).
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type FillMode = 'constant' | 'reflect' | 'wrap' | 'nearest';

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Where output coordinate `c` reads from along an axis of `len` pixels. */
function mapCoord(c: number, len: number, mode: FillMode): number {
  if (mode === 'constant') return c;
  if (mode === 'nearest') return clamp(c, 0, len - 1);
  let v = c;
  if (mode === 'reflect') {
    // [abcd] → [dcba|abcd|dcba]
    if (v < 0) {
      if (len <= 1) v = 0;
      else {
        const sz2 = 2 * len;
        if (v < sz2) v = sz2 * Math.trunc(-v / sz2) + v;
        v = v < -len ? v + sz2 : -v - 1;
      }
    } else if (v > len - 1) {
      if (len <= 1) v = 0;
      else {
        const sz2 = 2 * len;
        v -= sz2 * Math.trunc(v / sz2);
        if (v >= len) v = sz2 - v - 1;
      }
    }
  } else {
    // wrap: [abcd] → [abcd|abcd|abcd], as TensorFlow computes it
    if (v < 0) v = len <= 1 ? 0 : v + len * (Math.trunc(-v / (len - 1)) + 1);
    else if (v > len - 1) v = len <= 1 ? 0 : v - len * Math.trunc(v / (len - 1));
  }
  // rounding 3.5 in a 4-pixel axis must not read pixel 4
  return clamp(v, 0, len - 1);
}

export interface TransformArgs {
  image: Float32Array | Int32Array | Uint8Array;
  shape: [number, number, number, number];
  /** [B, 8] or [1, 8] projective matrices mapping output pixels to input pixels. */
  transforms: ArrayLike<number>;
  interpolation: 'nearest' | 'bilinear';
  fillMode: FillMode;
  fillValue: number;
  outShape: [number, number];
}

/** TensorFlow's Transform on plain arrays: [B, H, W, C] → [B, outH, outW, C]. */
export function transformImages(a: TransformArgs): Float32Array {
  const [batch, height, width, channels] = a.shape;
  const [outH, outW] = a.outShape;
  const out = new Float32Array(batch * outH * outW * channels).fill(a.fillValue);
  const shared = a.transforms.length === 8;
  const read = (b: number, y: number, x: number, c: number) =>
    y >= 0 && y < height && x >= 0 && x < width ? a.image[((b * height + y) * width + x) * channels + c]! : a.fillValue;
  for (let b = 0; b < batch; b++) {
    const m = shared ? 0 : 8 * b;
    const t = (i: number) => a.transforms[m + i]!;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const projection = t(6) * ox + t(7) * oy + 1;
        if (projection === 0) continue; // infinitely far: fill value
        const x = mapCoord((t(0) * ox + t(1) * oy + t(2)) / projection, width, a.fillMode);
        const y = mapCoord((t(3) * ox + t(4) * oy + t(5)) / projection, height, a.fillMode);
        const at = ((b * outH + oy) * outW + ox) * channels;
        if (a.interpolation === 'nearest') {
          const ry = Math.round(y);
          const rx = Math.round(x);
          for (let c = 0; c < channels; c++) out[at + c] = read(b, ry, rx, c);
          continue;
        }
        const y0 = Math.floor(y);
        const x0 = Math.floor(x);
        for (let c = 0; c < channels; c++) {
          const top = (x0 + 1 - x) * read(b, y0, x0, c) + (x - x0) * read(b, y0, x0 + 1, c);
          const bottom = (x0 + 1 - x) * read(b, y0 + 1, x0, c) + (x - x0) * read(b, y0 + 1, x0 + 1, c);
          out[at + c] = (y0 + 1 - y) * top + (y - y0) * bottom;
        }
      }
    }
  }
  return out;
}

function argsOf(attrs: tf.NamedAttrMap, image: tf.TensorInfo): Omit<TransformArgs, 'image' | 'transforms'> {
  const { interpolation, fillMode, fillValue, outputShape } = attrs as unknown as tf.TransformAttrs;
  const shape = image.shape as [number, number, number, number];
  return { shape, interpolation, fillMode, fillValue, outShape: (outputShape ?? [shape[1], shape[2]]) as [number, number] };
}

interface CpuBackendLike {
  data: { get(dataId: object): { values: Float32Array | Int32Array | Uint8Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}

function cpuTransform(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = args.backend as CpuBackendLike;
  const { image, transforms } = args.inputs as { image: tf.TensorInfo; transforms: tf.TensorInfo };
  const a = argsOf(args.attrs!, image);
  const out = transformImages({ ...a, image: backend.data.get(image.dataId).values, transforms: backend.data.get(transforms.dataId).values });
  return backend.makeTensorInfo([a.shape[0], ...a.outShape, a.shape[3]], 'float32', out);
}

let stockWasm: tf.KernelFunc | undefined;

function wasmTransform(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const a = argsOf(args.attrs!, (args.inputs as { image: tf.TensorInfo }).image);
  if (a.fillMode !== 'reflect' || stockWasm === undefined) return stockWasm!(args) as tf.TensorInfo;
  const backend = args.backend as BackendWasm;
  const { image, transforms } = args.inputs as { image: tf.TensorInfo; transforms: tf.TensorInfo };
  const out = transformImages({
    ...a,
    image: backend.typedArrayFromHeap(image) as Float32Array,
    transforms: backend.typedArrayFromHeap(transforms) as Float32Array,
  });
  const info = backend.makeOutput([a.shape[0], ...a.outShape, a.shape[3]], 'float32');
  (backend.typedArrayFromHeap(info) as Float32Array).set(out);
  return info;
}

const CPU: tf.KernelConfig = { kernelName: tf.Transform, backendName: 'cpu', kernelFunc: cpuTransform as tf.KernelFunc };
const WASM: tf.KernelConfig = { kernelName: tf.Transform, backendName: 'wasm', kernelFunc: wasmTransform as tf.KernelFunc };

/** Puts the corrected Transform in place for cpu and wasm. Idempotent; initBackend calls it. */
export function registerTransformKernels(): void {
  for (const config of [CPU, WASM]) {
    const existing = tf.getKernel(tf.Transform, config.backendName);
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing !== undefined) {
      if (config === WASM) stockWasm = existing.kernelFunc;
      tf.unregisterKernel(tf.Transform, config.backendName);
    } else if (config === WASM) {
      continue; // the wasm kernels are not registered; nothing to fall back to
    }
    // The stock wasm kernel binds its C++ function in setupFunc, run when the backend starts.
    tf.registerKernel(config === WASM ? { ...config, setupFunc: existing?.setupFunc, disposeFunc: existing?.disposeFunc } : config);
  }
}

/** Whether the corrected Transform kernels are the ones in use. */
export function transformKernelsRegistered(): boolean {
  return [CPU, WASM].every((config) => tf.getKernel(tf.Transform, config.backendName)?.kernelFunc === config.kernelFunc);
}

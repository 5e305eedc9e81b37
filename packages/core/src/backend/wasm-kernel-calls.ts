// Calling stock wasm kernels from inside another wasm kernel.
//
// A kernel function receives TensorInfos and the backend, not engine tensors. To compose
// kernels without creating engine-tracked tensors (which would leak past tf.tidy and
// show up in tf.memory().numTensors), we call the registered kernel functions directly
// and free every intermediate with backend.disposeData ourselves.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type TensorInfo = tf.TensorInfo;

/** The padding amounts of one convolution, in pixels; never negative. */
export interface Pads {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

function callKernel(
  backend: BackendWasm,
  kernelName: string,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown>,
): TensorInfo {
  const config = tf.getKernel(kernelName, 'wasm');
  if (config === undefined) throw new Error(`wasm kernel '${kernelName}' is not registered`);
  const out = config.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap });
  if (Array.isArray(out)) throw new Error(`wasm kernel '${kernelName}' returned ${out.length} outputs, expected 1`);
  return out;
}

/**
 * A stride-1 NHWC convolution on the XNNPACK-backed stock `Conv2D` kernel, with explicit
 * (possibly asymmetric) padding and a dilation. Filter layout: [kh, kw, inChannels, outChannels].
 */
export function conv2dStride1(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  pads: Pads,
  dilations: [number, number],
): TensorInfo {
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [pads.top, pads.bottom],
    [pads.left, pads.right],
    [0, 0],
  ];
  return callKernel(backend, 'Conv2D', { x, filter }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations });
}

export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return callKernel(backend, 'Transpose', { x }, { perm });
}

export function slice(backend: BackendWasm, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return callKernel(backend, 'Slice', { x }, { begin, size });
}

/** Crops a 4-D result to `size` starting at `begin`, freeing the uncropped one; a no-op when nothing is cut. */
export function cropTo(backend: BackendWasm, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const whole = begin.every((b) => b === 0) && size.every((s, i) => s === x.shape[i]);
  if (whole) return x;
  const out = slice(backend, x, begin, size);
  free(backend, x);
  return out;
}

/** Frees intermediates that this kernel made (never its inputs). */
export function free(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** A float32 view of a tensor on the wasm heap. Take it after the last allocation: growing the heap detaches views. */
export function heapView(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

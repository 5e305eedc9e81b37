// Conv2DBackpropFilter for the wasm backend, which ships without one (so training a
// convolution on stock wasm fails outright).
//
// The filter gradient of y = conv(x, w, stride s, padding top/left) is
//
//   dw[a, b, ci, co] = Σ_{n, i, j} x[n, s·i + a − top, s·j + b − left, ci] · dy[n, i, j, co]
//
// which is itself a convolution if the roles are swapped: batch ← ci, input channels ← n,
// filter taps ← (i, j) with dilation s, output pixels ← (a, b), output channels ← co.
// So we transpose x to [Ci, H, W, N] and dy to [oH, oW, N, Co], run the XNNPACK-backed
// stock Conv2D once, and transpose the [Ci, kh, kw, Co] result back to [kh, kw, Ci, Co].
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { forwardConvInfo } from './conv-geometry.js';
import { conv2dStride1, cropTo, free, transpose } from './wasm-kernel-calls.js';

function conv2DBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = forwardConvInfo(
    'Conv2DBackpropFilter',
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    pad,
    dimRoundingMode,
    dataFormat,
  );
  const { inChannels, outChannels, filterHeight: kh, filterWidth: kw } = info;
  const { inHeight: H, inWidth: W, outHeight: oH, outWidth: oW, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;

  // Padding that makes the dilated convolution produce exactly kh × kw outputs. It is
  // negative when the forward pass never read the last rows/columns of x ('valid' with a
  // stride that does not divide evenly); then we pad 0 and crop the surplus outputs instead.
  const bottom = kh + (oH - 1) * sh - H - top;
  const right = kw + (oW - 1) * sw - W - left;

  const xT = transpose(backend, x, [3, 1, 2, 0]); // [Ci, H, W, N]
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [oH, oW, N, Co]
  const grad = conv2dStride1(
    backend,
    xT,
    dyT,
    { top, left, bottom: Math.max(0, bottom), right: Math.max(0, right) },
    [sh, sw],
  );
  free(backend, xT, dyT);
  const cropped = cropTo(backend, grad, [0, 0, 0, 0], [inChannels, kh, kw, outChannels]);
  const dw = transpose(backend, cropped, [1, 2, 0, 3]); // [kh, kw, Ci, Co]
  free(backend, cropped);
  return dw;
}

export const wasmConv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as tf.KernelFunc,
};

// Conv2DBackpropInput for the wasm backend. The stock kernel is a plain single-threaded
// C++ loop; this one reuses the XNNPACK-backed stock Conv2D, which is several times faster.
//
// The input gradient of y = conv(x, w, stride s, padding top/left) is
//
//   dx[n, p, q, ci] = Σ_{a, b, co : s·i + a − top = p, s·j + b − left = q} dy[n, i, j, co] · w[a, b, ci, co]
//
// Insert s − 1 zeros between the rows and columns of dy ("dyUp", so dy[i] sits at row s·i)
// and it becomes a stride-1 convolution of dyUp with the spatially flipped filter whose
// in/out channels are swapped, w'[a, b, co, ci] = w[kh−1−a, kw−1−b, ci, co], padded by
// kh−1−top rows on top (and whatever makes the output exactly H rows at the bottom).
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { forwardConvInfo } from './conv-geometry.js';
import { conv2dStride1, cropTo, free, heapView, transpose } from './wasm-kernel-calls.js';

/** dy [N, oH, oW, C] spread out to [N, (oH−1)·sh+1, (oW−1)·sw+1, C] with zeros between the pixels. */
function insertZeros(backend: BackendWasm, dy: tf.TensorInfo, sh: number, sw: number): tf.TensorInfo {
  const [n, oH, oW, c] = dy.shape as [number, number, number, number];
  const upH = (oH - 1) * sh + 1;
  const upW = (oW - 1) * sw + 1;
  const out = backend.makeOutput([n, upH, upW, c], 'float32');
  const src = heapView(backend, dy);
  const dst = heapView(backend, out);
  dst.fill(0); // wasm malloc does not zero memory
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oH; i++) {
      for (let j = 0; j < oW; j++) {
        const from = ((b * oH + i) * oW + j) * c;
        dst.set(src.subarray(from, from + c), ((b * upH + i * sh) * upW + j * sw) * c);
      }
    }
  }
  return out;
}

/** w [kh, kw, Ci, Co] → w' [kh, kw, Co, Ci], rotated 180° in space. */
function flipFilter(backend: BackendWasm, filter: tf.TensorInfo): tf.TensorInfo {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const swapped = transpose(backend, filter, [0, 1, 3, 2]);
  // With taps in row-major order k = a·kw + b, the 180° rotation maps tap k to kh·kw−1−k:
  // reversing the order of the [Co, Ci] blocks.
  const values = heapView(backend, swapped);
  const block = co * ci;
  const taps = kh * kw;
  const tmp = new Float32Array(block);
  for (let k = 0; k < Math.floor(taps / 2); k++) {
    const a = k * block;
    const b = (taps - 1 - k) * block;
    tmp.set(values.subarray(a, a + block));
    values.copyWithin(a, b, b + block);
    values.set(tmp, b);
  }
  return swapped;
}

function conv2DBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
    args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = forwardConvInfo(
    'Conv2DBackpropInput',
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    pad,
    dimRoundingMode,
    dataFormat,
  );
  const { batchSize, inHeight: H, inWidth: W, inChannels, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;

  const strided = sh > 1 || sw > 1;
  const dyUp = strided ? insertZeros(backend, dy, sh, sw) : dy;
  const flipped = flipFilter(backend, filter);

  // Pads that make the stride-1 convolution exactly H × W. Either can be negative with
  // explicit paddings wider than the kernel; then pad 0 and crop the output instead
  // (a stride-1 convolution shifts with its input, so cropping outputs = cropping input).
  const [upH, upW] = [dyUp.shape[1]!, dyUp.shape[2]!];
  const padTop = kh - 1 - top;
  const padLeft = kw - 1 - left;
  const padBottom = H + top - upH;
  const padRight = W + left - upW;
  const full = conv2dStride1(
    backend,
    dyUp,
    flipped,
    {
      top: Math.max(0, padTop),
      bottom: Math.max(0, padBottom),
      left: Math.max(0, padLeft),
      right: Math.max(0, padRight),
    },
    [1, 1],
  );
  free(backend, flipped);
  if (strided) free(backend, dyUp);
  return cropTo(backend, full, [0, Math.max(0, -padTop), Math.max(0, -padLeft), 0], [batchSize, H, W, inChannels]);
}

export const wasmConv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as tf.KernelFunc,
};

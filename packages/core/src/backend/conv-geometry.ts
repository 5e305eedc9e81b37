// The forward convolution that a backprop kernel differentiates, as numbers.
import * as tf from '@tensorflow/tfjs-core';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/**
 * Geometry of the forward NHWC convolution x[N,H,W,Ci] * w[kh,kw,Ci,Co] -> y[N,oH,oW,Co].
 * The gradient kernels only ever see dilation 1: tfjs-core's Conv2D gradient refuses dilated convolutions.
 */
export function forwardConvInfo(
  kernelName: string,
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: [number, number] | number,
  pad: Pad,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  dataFormat: 'NHWC' | 'NCHW',
): tf.backend_util.Conv2DInfo {
  if (dataFormat !== 'NHWC') {
    // The stock wasm Conv2D these kernels are built on is NHWC-only too.
    throw new Error(`sempair wasm ${kernelName}: dataFormat '${dataFormat}' is not supported; use 'NHWC'`);
  }
  return tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
}

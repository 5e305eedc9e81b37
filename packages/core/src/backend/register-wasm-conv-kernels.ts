// Swaps sempair's convolution-gradient kernels into the wasm backend.
import * as tf from '@tensorflow/tfjs-core';
import { wasmConv2DBackpropFilterConfig } from './wasm-conv-backprop-filter.js';
import { wasmConv2DBackpropInputConfig } from './wasm-conv-backprop-input.js';

const configs = [wasmConv2DBackpropFilterConfig, wasmConv2DBackpropInputConfig];

/**
 * Registers the XNNPACK-composed Conv2DBackpropFilter (missing from stock wasm) and
 * Conv2DBackpropInput (stock is a slow scalar loop) for the 'wasm' backend, replacing
 * any kernel already registered under those names. Idempotent; initBackend calls it.
 */
export function registerWasmConvKernels(): void {
  for (const config of configs) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
}

/** Whether the wasm convolution-gradient kernels in use are sempair's. */
export function wasmConvKernelsRegistered(): boolean {
  return configs.every((config) => tf.getKernel(config.kernelName, 'wasm')?.kernelFunc === config.kernelFunc);
}

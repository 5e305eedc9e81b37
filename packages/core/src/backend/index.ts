// Backends: choosing and initialising tfjs's backend, reporting it, the native CPU kernels
// (optional @sempair/backend-native), and the faster wasm convolution-gradient kernels.
export { BACKEND_PREFERENCES, AUTO_ORDER, isBackendPreference, parseBackendPreference } from './backend-preference.js';
export type { BackendPreference, BackendCandidateName } from './backend-preference.js';
export type { BackendCandidate, BackendInfo } from './backend-info.js';
export { initBackend, currentBackendInfo } from './init-backend.js';
export type { InitBackendOptions } from './init-backend.js';
export { backendFacts } from './backend-facts.js';
export type { BackendFacts } from './backend-facts.js';
export type { WasmFacts } from './wasm-runtime.js';
export { backendVersions } from './backend-versions.js';
export { computingBackend } from './computing-backend.js';
export { nativeCpuActive, nativeCpuFallbacks, NATIVE_CPU_PACKAGE } from './native-cpu.js';
export { registerWasmConvKernels, wasmConvKernelsRegistered } from './register-wasm-conv-kernels.js';
export { BackendFailure, isBackendFailure, asBackendFailure, settleBackendFailure, backendFailure, reportBackendFailure } from './backend-failure.js';
export { probeWebgpu, releaseWebgpu, activeWebgpuAdapter, WEBGPU_PACKAGES } from './webgpu-runtime.js';
export { describeAdapter, adapterLine } from './webgpu-adapter.js';
export type { WebgpuAdapterFacts, AdapterInfoLike } from './webgpu-adapter.js';
export { findVulkanDrivers, diagnoseNoAdapter } from './vulkan-drivers.js';
export type { VulkanDrivers, VulkanIcd } from './vulkan-drivers.js';
export { registerTransformKernels, transformKernelsRegistered, transformImages } from './transform-kernels.js';

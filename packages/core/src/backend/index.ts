// Backends: choosing and initialising tfjs's backend, reporting it, and the faster wasm
// convolution-gradient kernels that make training on wasm practical.
export { BACKEND_PREFERENCES, AUTO_ORDER, isBackendPreference, parseBackendPreference } from './backend-preference.js';
export type { BackendPreference, BackendCandidateName } from './backend-preference.js';
export type { BackendCandidate, BackendInfo } from './backend-info.js';
export { initBackend, currentBackendInfo } from './init-backend.js';
export type { InitBackendOptions } from './init-backend.js';
export { backendFacts } from './backend-facts.js';
export type { BackendFacts } from './backend-facts.js';
export type { WasmFacts } from './wasm-runtime.js';
export { backendVersions } from './backend-versions.js';
export { registerWasmConvKernels, wasmConvKernelsRegistered } from './register-wasm-conv-kernels.js';

// owner: backend work (initBackend, wasm conv kernels, doctor facts)
export {};

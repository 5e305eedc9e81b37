import { initBackend } from '@sempair/core';

/** Tests run on the cpu backend, chosen through core's public door like any plugin would. */
export async function useCpuBackend(): Promise<void> {
  await initBackend('cpu');
}

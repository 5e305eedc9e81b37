// The engine a run records as computing it.
import type { BackendInfo } from './backend-info.js';

/**
 * tfjs' backend name, except that the native CPU kernels (which run as tfjs' 'cpu' backend)
 * are recorded as 'native': their numbers differ from the plain cpu kernels' in the last bits,
 * so a run resumed from one on the other must show as a backend change.
 */
export function computingBackend(info: Pick<BackendInfo, 'name' | 'chosen'>): string {
  return info.chosen === 'native' ? 'native' : info.name;
}

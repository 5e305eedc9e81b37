import { register } from 'node:module';

/** Packages a plugin declares as peer dependencies and must share with the host process. */
export const SHARED_PACKAGES = ['@sempair/core', '@tensorflow/tfjs-core'] as const;

let installed = false;

/**
 * Routes `import '@sempair/core'` and `import '@tensorflow/tfjs-core'` from any module to the
 * copies this CLI runs on (see peer-resolver.ts). Installed once, and only when third-party
 * plugins are present, so the common path pays nothing for the resolver thread.
 */
export function shareHostPackages(): void {
  if (installed) return;
  installed = true;
  const shared: Record<string, string> = {};
  for (const name of SHARED_PACKAGES) shared[name] = import.meta.resolve(name);
  register('./peer-resolver.js', import.meta.url, { data: { shared } });
}

import type { Registry } from './registry.js';

/** Version of the plugin contract. A plugin built for another major version is refused. */
export const PLUGIN_API_VERSION = 1;

/**
 * A sempair plugin: adds methods, datasets, pair sources, backbones, augmentation presets or
 * evaluators. Built-in plugins use exactly this door.
 */
export interface Plugin {
  apiVersion: number;
  name: string;
  register(registry: Registry): void;
}

/**
 * Options the CLI passes to a `sempair:register` hook: the registry to add to, and the host's
 * own `@sempair/core` and `@tensorflow/tfjs-core`, so a plugin can work with no imports at all.
 */
export interface RegisterHookOptions {
  registry: Registry;
  core?: typeof import('./index.js');
  tf?: typeof import('@tensorflow/tfjs-core');
}

/**
 * The oclif hook a plugin package exports from the file named by its package.json
 * (`"oclif": { "hooks": { "sempair:register": "./dist/hook.js" } }`). The CLI runs the
 * `sempair:register` event once per command with its registry; every installed or linked
 * oclif plugin that declares the hook adds itself. Needs no oclif import.
 */
export function pluginHook(plugin: Plugin): (options: RegisterHookOptions) => Promise<void> {
  return async function register(options: RegisterHookOptions): Promise<void> {
    options.registry.use(plugin);
  };
}

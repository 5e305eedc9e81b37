// The plugin's door into sempair: an oclif hook on the `sempair:register` event, declared in
// package.json (`"oclif": { "hooks": { "sempair:register": "./hook.js" } }`). The CLI runs it
// once per command with { registry, core, tf }: the registry to add to, and the host's
// @sempair/core and @tensorflow/tfjs-core modules, so this plugin needs no dependencies.
import { exampleAlignMethod } from './align-method.js';

/** @param {{ registry: import('@sempair/core').Registry, core: typeof import('@sempair/core'), tf: typeof import('@tensorflow/tfjs-core') }} options */
export default async function register({ registry, tf }) {
  registry.use({
    apiVersion: 1, // the plugin API this plugin was written for (core's PLUGIN_API_VERSION)
    name: 'sempair-plugin-example',
    register(r) {
      r.methods.register(exampleAlignMethod(tf));
    },
  });
}

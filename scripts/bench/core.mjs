// Loads the built @sempair/core. While parts of core are mid-change and its index fails to
// load, the modules the benchmarks need are loaded one by one so timings can still be taken.
const DIST = new URL('../../packages/core/dist/', import.meta.url);

export async function loadCore() {
  try {
    return { core: await import(new URL('index.js', DIST).href) };
  } catch (error) {
    const parts = ['rng.js', 'options.js', 'nn/index.js', 'backbones/index.js', 'optim/index.js'];
    const modules = await Promise.all(parts.map((p) => import(new URL(p, DIST).href)));
    const core = Object.assign({}, ...modules);
    try {
      Object.assign(core, await import(new URL('backend/index.js', DIST).href));
    } catch {
      /* no backend module yet */
    }
    return { core, warning: `@sempair/core index failed to load (${error.message.split('\n')[0]}); used its modules directly` };
  }
}

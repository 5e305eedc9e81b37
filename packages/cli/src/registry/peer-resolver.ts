/**
 * Module resolution hook (node:module `register`) that makes every plugin import the host's
 * copy of sempair's peer packages. A plugin installed with `sempair plugins install` or linked
 * from a checkout has its own node_modules (or none at all); without this, `import
 * '@sempair/core'` would fail, or load a second engine whose registry and tensors are not the
 * ones the CLI uses.
 */
interface ResolveContext {
  parentURL?: string;
  conditions: string[];
}
interface ResolveResult {
  url: string;
  shortCircuit?: boolean;
  format?: string | null;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<ResolveResult>;

let shared: Record<string, string> = {};

export async function initialize(data: { shared: Record<string, string> }): Promise<void> {
  shared = data.shared;
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<ResolveResult> {
  const url = shared[specifier];
  if (url) return { url, shortCircuit: true };
  return next(specifier, context);
}

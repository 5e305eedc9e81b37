/**
 * Dataset paths in experiments are references, `$data:<key>` (alone or inside a text, e.g.
 * `root=$data:stl10` or `$data:subset/semantic-pairs.csv`), filled from `--data key=path`, the
 * config file's `data:` or the experiment's own `data:`. Run ids hash the references, not the
 * paths, so an experiment has the same run ids wherever its data lies.
 */
export const DATA_REF = /\$data:([A-Za-z0-9_-]+)/g;

export function dataRef(key: string): string {
  return `$data:${key}`;
}

export interface Substituted<T> {
  value: T;
  /** Texts that held references, by dotted key ("datasetOptions.root"), as written. */
  refs: Record<string, string>;
  /** Data keys referred to but not given (their references stay in `value`). */
  missing: string[];
}

/** `value` with every `$data:<key>` replaced by data[key]. */
export function substituteDataRefs<T>(value: T, data: Record<string, string>): Substituted<T> {
  const refs: Record<string, string> = {};
  const missing = new Set<string>();
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'string' && v.includes('$data:')) {
      refs[path] = v;
      return v.replace(DATA_REF, (ref, key: string) => {
        if (data[key] !== undefined) return data[key];
        missing.add(key);
        return ref;
      });
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}.${i}`));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, path ? `${path}.${k}` : k)]));
    return v;
  };
  return { value: walk(value, '') as T, refs, missing: [...missing] };
}

/** `config` with the texts at `refs` put back as written: what stays the same when the data moves. */
export function withDataRefs<T>(config: T, refs: Record<string, string>): T {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  for (const [path, written] of Object.entries(refs)) {
    const parts = path.split('.');
    let node: Record<string, unknown> | undefined = copy;
    for (const p of parts.slice(0, -1)) node = node?.[p] as Record<string, unknown> | undefined;
    const last = parts.at(-1)!;
    if (node && typeof node === 'object' && last in node) node[last] = written;
  }
  return copy as T;
}

import type { AugmentationPreset } from './augment/augmentation.js';
import type { BackboneDefinition } from './backbones/backbone.js';
import type { DatasetDefinition } from './data/dataset.js';
import { UserError } from './errors.js';
import type { EvaluatorDefinition } from './evaluator.js';
import type { MethodDefinition } from './method.js';
import type { PairSourceDefinition } from './pairs/pair-source.js';
import { PLUGIN_API_VERSION, type Plugin } from './plugin.js';

interface Identified {
  id: string;
  description: string;
}

/** One kind of registered thing, looked up by id; unknown ids end in a line listing the known ones. */
export class Catalog<T extends Identified> {
  private readonly entries = new Map<string, { value: T; origin: string }>();
  constructor(readonly kind: string, readonly flag: string) {}

  register(value: T, origin = 'sempair'): void {
    const existing = this.entries.get(value.id);
    if (existing) {
      throw new UserError(
        `${this.kind} '${value.id}' from ${origin} is already registered by ${existing.origin}`,
        `uninstall one of the two plugins (sempair plugins uninstall <name>)`,
      );
    }
    this.entries.set(value.id, { value, origin });
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): T {
    const entry = this.entries.get(id);
    if (!entry) {
      const known = [...this.entries.keys()].sort();
      throw new UserError(
        `unknown ${this.kind} '${id}'`,
        known.length ? `use ${this.flag} with one of: ${known.join(', ')}` : `no ${this.kind} is installed`,
      );
    }
    return entry.value;
  }

  origin(id: string): string {
    return this.entries.get(id)?.origin ?? 'unknown';
  }

  list(): T[] {
    return [...this.entries.values()].map((e) => e.value).sort((a, b) => a.id.localeCompare(b.id));
  }
}

/** Everything a run can be built from. Plugins add to it through `use`. */
export class Registry {
  readonly methods = new Catalog<MethodDefinition>('method', '--method');
  readonly datasets = new Catalog<DatasetDefinition>('dataset', '--dataset');
  readonly pairSources = new Catalog<PairSourceDefinition>('pair source', '--pairs');
  readonly backbones = new Catalog<BackboneDefinition>('backbone', '--backbone');
  readonly augmentations = new Catalog<AugmentationPreset>('augmentation preset', '--augmentation');
  readonly evaluators = new Catalog<EvaluatorDefinition>('evaluator', 'sempair eval');
  private readonly loaded: Array<{ name: string }> = [];
  private current = 'sempair';

  /** Registers a plugin; the origin of everything it adds is the plugin's name. */
  use(plugin: Plugin): void {
    if (this.loaded.some((p) => p.name === plugin.name)) return;
    if (Math.trunc(plugin.apiVersion) !== PLUGIN_API_VERSION) {
      throw new UserError(
        `plugin ${plugin.name} targets plugin API ${plugin.apiVersion}, this sempair speaks ${PLUGIN_API_VERSION}`,
        `install a version of ${plugin.name} built for sempair's plugin API ${PLUGIN_API_VERSION}`,
      );
    }
    const previous = this.current;
    this.current = plugin.name;
    try {
      plugin.register(this.scoped(plugin.name));
    } finally {
      this.current = previous;
    }
    this.loaded.push({ name: plugin.name });
  }

  /** Names of the plugins registered, in order. */
  plugins(): string[] {
    return this.loaded.map((p) => p.name);
  }

  /** A view whose catalogs record `origin` as the registering plugin. */
  private scoped(origin: string): Registry {
    const wrap = <T extends Identified>(catalog: Catalog<T>): Catalog<T> =>
      new Proxy(catalog, {
        get(target, prop, receiver) {
          if (prop === 'register') return (value: T) => target.register(value, origin);
          const v = Reflect.get(target, prop, receiver);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    return new Proxy(this, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (v instanceof Catalog) return wrap(v);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  }
}

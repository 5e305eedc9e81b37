import * as tf from '@tensorflow/tfjs-core';

/**
 * Role of a parameter. LARS and weight decay skip 'bias' and 'norm'; 'buffer' is state that is
 * saved in checkpoints but never trained (batch-norm running statistics, EMA targets, DINO center).
 */
export type ParamRole = 'weight' | 'bias' | 'norm' | 'buffer';

export interface Parameter {
  /** Dotted path, unique within the run, e.g. `backbone.layer1.0.conv1.weight`. */
  readonly name: string;
  readonly variable: tf.Variable;
  readonly role: ParamRole;
}

/**
 * A named collection of variables. Scopes share one store so a whole model (backbone, heads,
 * EMA copies) is checkpointed and optimised by name. tf.Variable names are left automatic
 * because the engine requires them globally unique across models.
 */
export class ParameterSet {
  private readonly store: Map<string, Parameter>;
  readonly prefix: string;
  /** A frozen scope registers everything as 'buffer': saved, never trained (EMA targets). */
  readonly frozen: boolean;

  constructor(prefix = '', store?: Map<string, Parameter>, frozen = false) {
    this.prefix = prefix;
    this.store = store ?? new Map();
    this.frozen = frozen;
  }

  /**
   * A view that registers names under `prefix.` into the same store. With `frozen`, every
   * parameter added through it (and its sub-scopes) becomes a buffer, so a whole network can
   * be built as a non-trained copy (BYOL's target, DINO's teacher). An empty name keeps the
   * prefix: `scope('', { frozen: true })` is a frozen view of this set.
   */
  scope(name: string, { frozen = this.frozen }: { frozen?: boolean } = {}): ParameterSet {
    return new ParameterSet(name === '' ? this.prefix : this.qualify(name), this.store, frozen);
  }

  private qualify(name: string): string {
    return this.prefix ? `${this.prefix}.${name}` : name;
  }

  /** Registers a variable initialised from `initial` (the tensor is taken over, not copied). */
  add(name: string, initial: tf.Tensor, role: ParamRole = 'weight'): tf.Variable {
    const full = this.qualify(name);
    if (this.store.has(full)) throw new Error(`parameter ${full} registered twice`);
    const effective: ParamRole = this.frozen ? 'buffer' : role;
    const variable = tf.variable(initial, effective !== 'buffer');
    initial.dispose();
    this.store.set(full, { name: full, variable, role: effective });
    return variable;
  }

  get(name: string): tf.Variable {
    const p = this.store.get(this.qualify(name));
    if (!p) throw new Error(`no parameter ${this.qualify(name)}`);
    return p.variable;
  }

  /** Parameters under this scope, in registration order. */
  list(): Parameter[] {
    const out: Parameter[] = [];
    const head = this.prefix ? `${this.prefix}.` : '';
    for (const p of this.store.values()) if (!head || p.name.startsWith(head)) out.push(p);
    return out;
  }

  trainable(): Parameter[] {
    return this.list().filter((p) => p.role !== 'buffer');
  }

  /** Number of scalar weights under this scope (trainable only unless `all`). */
  count(all = false): number {
    return (all ? this.list() : this.trainable()).reduce((n, p) => n + p.variable.size, 0);
  }

  dispose(): void {
    for (const p of this.list()) {
      p.variable.dispose();
      this.store.delete(p.name);
    }
  }
}

import * as tf from '@tensorflow/tfjs-core';
import type { Parameter } from '../nn/parameters.js';
import { clipByGlobalNorm } from './clip.js';
import type { OptimizerName } from './training-options.js';

/** Gradients keyed by parameter name (`backbone.conv1.weight`) or by tf.Variable name (what tf.variableGrads returns). */
export type GradientMap = Map<string, tf.Tensor> | Record<string, tf.Tensor>;

export interface Optimizer {
  readonly name: OptimizerName;
  /**
   * One update of every parameter that has a gradient in `grads` (parameters without one are
   * left alone, state included, as PyTorch skips `grad is None`). Does not dispose `grads`.
   */
  step(grads: GradientMap, lr: number): void;
  /** Every state variable by checkpoint name (`optimizer.<param>.momentum`, …); assign to restore. */
  state(): Map<string, tf.Variable>;
  dispose(): void;
}

/**
 * Weight decay (and LARS adaptation) applies to role 'weight' only: biases and norm parameters
 * are the 1-D tensors solo-learn excludes, and PyTorch's param-group convention for AdamW.
 */
export function decays(p: Parameter): boolean {
  return p.role === 'weight';
}

/** How one algorithm updates one parameter; runs inside the step's tf.tidy. */
export interface UpdateRule {
  readonly name: OptimizerName;
  /** Creates the state of `p` (zero-filled, non-trainable), registered by checkpoint name. */
  init(p: Parameter, state: Map<string, tf.Variable>): void;
  update(p: Parameter, grad: tf.Tensor, lr: number, state: Map<string, tf.Variable>): void;
}

/** A zero-filled, non-trainable state variable named `optimizer.<param>.<slot>`. */
export function addSlot(state: Map<string, tf.Variable>, p: Parameter, slot: string, shape: number[] = p.variable.shape): tf.Variable {
  const name = `optimizer.${p.name}.${slot}`;
  const zeros = tf.zeros(shape);
  const v = tf.variable(zeros, false);
  zeros.dispose(); // the variable holds its own reference to the data
  state.set(name, v);
  return v;
}

export function slot(state: Map<string, tf.Variable>, p: Parameter, name: string): tf.Variable {
  return state.get(`optimizer.${p.name}.${name}`)!;
}

/** Drives an UpdateRule: gradient lookup, optional global-norm clipping, one tidy per step. */
export class RuleOptimizer implements Optimizer {
  private readonly params: Parameter[];
  private readonly slots = new Map<string, tf.Variable>();

  constructor(
    private readonly rule: UpdateRule,
    params: readonly Parameter[],
    private readonly gradClip = 0,
  ) {
    this.params = params.filter((p) => p.role !== 'buffer');
    for (const p of this.params) rule.init(p, this.slots);
  }

  get name(): OptimizerName {
    return this.rule.name;
  }

  step(grads: GradientMap, lr: number): void {
    const lookup = (key: string) => (grads instanceof Map ? grads.get(key) : grads[key]);
    tf.tidy(() => {
      const present: Parameter[] = [];
      let gs: tf.Tensor[] = [];
      for (const p of this.params) {
        const g = lookup(p.name) ?? lookup(p.variable.name);
        if (g) {
          if (g.shape.join() !== p.variable.shape.join()) {
            throw new Error(`gradient of ${p.name} has shape [${g.shape.join(', ')}], parameter has [${p.variable.shape.join(', ')}]`);
          }
          present.push(p);
          gs.push(g);
        }
      }
      if (this.gradClip > 0) gs = clipByGlobalNorm(gs, this.gradClip).grads;
      present.forEach((p, i) => this.rule.update(p, gs[i]!, lr, this.slots));
    });
  }

  state(): Map<string, tf.Variable> {
    return new Map(this.slots);
  }

  dispose(): void {
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
  }
}

import type { EvalResult, ExperimentComparison } from '@sempair/core';

export interface RunOutcome {
  id: string;
  label: string;
  runDir: string;
  status: string;
  steps?: number;
  finalLoss?: number;
  /** Results by evaluation id. */
  evaluations: Record<string, EvalResult>;
  /** Why the run did not finish this time (a task failed, its process crashed), in one line. */
  error?: string;
  /** Set for a baseline (`random-init`): nothing trained, `status` completed once every evaluation is done. */
  baseline?: string;
}

export interface Comparison {
  a: string;
  b: string;
  /** a − b, by evaluation id and metric. */
  differences: Record<string, Record<string, number>>;
}

const PREFERRED = ['top1', 'top5'];

/** Metrics shown per evaluation: top-1 and top-5 when the evaluator reports them, else all. */
export function shownMetrics(outcomes: RunOutcome[], evaluation: string): string[] {
  const names = [...new Set(outcomes.flatMap((o) => Object.keys(o.evaluations[evaluation]?.metrics ?? {})))];
  const preferred = PREFERRED.filter((m) => names.includes(m));
  return preferred.length ? preferred : names;
}

/** a − b for each pair of run labels whose runs are both present. */
export function compareAll(outcomes: RunOutcome[], evaluations: string[], pairs: ExperimentComparison[]): Comparison[] {
  return pairs.map((pair) => compare(outcomes, evaluations, pair)).filter((c): c is Comparison => c !== undefined);
}

export function compare(outcomes: RunOutcome[], evaluations: string[], pair: ExperimentComparison | undefined): Comparison | undefined {
  if (!pair) return undefined;
  const a = outcomes.find((o) => o.label === pair.a);
  const b = outcomes.find((o) => o.label === pair.b);
  if (!a || !b) return undefined;
  const differences: Comparison['differences'] = {};
  for (const e of evaluations) {
    for (const m of shownMetrics(outcomes, e)) {
      const va = a.evaluations[e]?.metrics[m];
      const vb = b.evaluations[e]?.metrics[m];
      if (va !== undefined && vb !== undefined) (differences[e] ??= {})[m] = va - vb;
    }
  }
  return { a: pair.a, b: pair.b, differences };
}

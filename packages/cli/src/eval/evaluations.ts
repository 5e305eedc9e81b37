import { evaluateRun, resolveOptions, type EvalResult, type OptionValues, type Registry } from '@sempair/core';
import type { FileConfig } from '../config/load-config.js';
import type { WorkTask } from '../progress/tasks.js';
import { showMetric } from '../tables.js';

/** One evaluation to run on a run directory, its options already validated. */
export interface PlannedEvaluation {
  evaluator: string;
  options: OptionValues;
  /** The options given explicitly (config file, preset, flags), already coerced. */
  requested: OptionValues;
}

/**
 * Validates evaluator ids and their options (config file `evaluators.<id>`, then `overrides`)
 * before any work starts, so a typo never costs a training run.
 */
export function planEvaluations(
  ids: string[],
  registry: Registry,
  file: FileConfig,
  overrides: Record<string, OptionValues> = {},
): PlannedEvaluation[] {
  return ids.map((id) => {
    const definition = registry.evaluators.get(id);
    const raw = { ...(file.evaluators[id] ?? {}), ...(overrides[id] ?? {}) };
    const options = resolveOptions(definition.options, raw, `evaluator ${definition.id}`);
    definition.validate?.(options);
    const requested = Object.fromEntries(Object.keys(raw).map((key) => [key, options[key]]));
    return { evaluator: definition.id, options, requested };
  });
}

export function summarizeMetrics(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .slice(0, 4)
    .map(([k, v]) => `${k} ${showMetric(k, v)}`)
    .join(' · ');
}

/** A task that evaluates `runDir` and hands the result to `done`. */
export function evaluationTask(
  registry: Registry,
  runDir: string,
  plan: PlannedEvaluation,
  done: (result: EvalResult) => void,
  title = `evaluate: ${plan.evaluator}`,
): WorkTask {
  return {
    id: `eval:${plan.evaluator}`,
    title,
    run: async (progress, control) => {
      const result = await evaluateRun(registry, { runDir, evaluator: plan.evaluator, options: plan.options, progress });
      control.setTitle(`${title} — ${summarizeMetrics(result.metrics)}`);
      done(result);
    },
  };
}

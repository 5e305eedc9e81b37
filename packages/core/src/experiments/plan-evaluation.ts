import { isUserError, UserError } from '../errors.js';
import { resolveOptions, type OptionValues } from '../options.js';
import type { Registry } from '../registry.js';
import { substituteDataRefs } from './data-refs.js';
import type { PlannedEvaluation } from './expanded-experiment.js';
import type { EvaluationSpec } from './experiment-spec.js';

/**
 * One evaluation's options resolved: the config file's defaults for its evaluator, then the
 * experiment's own, with "$data:<key>" references filled. An evaluator that is not installed
 * (a plugin's, such as `detection`) is refused with the package to install.
 */
export function planEvaluation(
  spec: EvaluationSpec,
  registry: Registry,
  where: string,
  evaluatorDefaults: Record<string, OptionValues> = {},
  data: Record<string, string> = {},
): PlannedEvaluation & { dataKeys: string[] } {
  const name = spec.name ?? spec.evaluator;
  if (!registry.evaluators.has(spec.evaluator)) {
    const known = registry.evaluators.list().map((e) => e.id).join(', ');
    throw new UserError(
      `${where}: evaluation ${name} needs the evaluator '${spec.evaluator}'${spec.plugin ? ` (from ${spec.plugin})` : ''}, which is not installed`,
      spec.plugin ? `install it (sempair plugins install ${spec.plugin}), or leave that experiment out` : `installed evaluators: ${known}`,
    );
  }
  const definition = registry.evaluators.get(spec.evaluator);
  const raw = { ...(evaluatorDefaults[definition.id] ?? {}), ...(spec.options ?? {}) };
  const { value: substituted, missing } = substituteDataRefs(raw, data);
  let resolved: OptionValues;
  try {
    resolved = resolveOptions(definition.options, substituted, `evaluator ${definition.id}`);
  } catch (error) {
    if (isUserError(error)) throw new UserError(`${where}, evaluation ${name}: ${error.message}`, error.fix);
    throw error;
  }
  const requested = Object.fromEntries(Object.keys(raw).map((key) => [key, resolved[key]]));
  return { name, evaluator: definition.id, options: resolved, requested, dataKeys: missing };
}

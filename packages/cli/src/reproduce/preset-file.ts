import { resolve } from 'node:path';
import { checkBaselines, NAME_PATTERN, readJson, UserError, type ExperimentPreset } from '@sempair/core';

/**
 * A preset written as JSON (the shape of core's ExperimentPreset), for `reproduce
 * --preset-file`: tests use tiny ones; the runs' configs are checked like a built-in preset's.
 */
export async function readPresetFile(file: string): Promise<ExperimentPreset> {
  const path = resolve(file);
  const preset = await readJson<Partial<ExperimentPreset>>(path, 'preset file');
  const bad = (what: string): UserError =>
    new UserError(`preset file ${file}: ${what}`, 'give it {id, description, runs: [{id, label, config}], evaluations: [{id, options}], compare?: {a, b} | [{a, b}], baselines?: [random-init]}');
  if (!preset || typeof preset !== 'object') throw bad('not a JSON object');
  if (typeof preset.id !== 'string' || !NAME_PATTERN.test(preset.id)) throw bad('id must be a name of letters, digits, ".", "_" or "-"');
  if (!Array.isArray(preset.runs) || preset.runs.length === 0) throw bad('runs must be a non-empty list');
  const ids = new Set<string>();
  for (const run of preset.runs) {
    if (typeof run?.id !== 'string' || !NAME_PATTERN.test(run.id) || ids.has(run.id)) throw bad('every run needs its own id (letters, digits, ".", "_", "-")');
    if (typeof run.label !== 'string' || !run.config || typeof run.config !== 'object') throw bad(`run ${run.id} needs a label and a config`);
    ids.add(run.id);
  }
  const evaluations = preset.evaluations ?? [];
  if (!Array.isArray(evaluations) || evaluations.some((e) => typeof e?.id !== 'string')) throw bad('evaluations must be a list of {id, options}');
  if (preset.baselines !== undefined) {
    checkBaselines(preset.baselines, evaluations.length, (key, what, fix) => {
      throw new UserError(`preset file ${file}: ${key} ${what}`, fix);
    });
  }
  return {
    id: preset.id,
    description: preset.description ?? `preset from ${file}`,
    estimate: preset.estimate ?? '?',
    runs: preset.runs,
    evaluations: evaluations.map((e) => ({ id: e.id, options: e.options ?? {} })),
    compare: preset.compare,
    ...(preset.baselines ? { baselines: preset.baselines } : {}),
    methodSettings: preset.methodSettings,
  };
}

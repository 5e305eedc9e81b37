import { resolve } from 'node:path';
import type { ViewPipeline } from '../augment/augmentation.js';
import { configId, idSlug, stableStringify } from '../runs/run-dir.js';
import { runNormalization } from '../runs/evaluate-run.js';
import type { RunConfig } from '../train/run-config.js';
import type { PlannedRun } from './expanded-experiment.js';
import { AXES, type AxisName, type BaselineKind } from './experiment-spec.js';

/** A planned run and what its baseline depends on. */
export interface BaselineMember {
  run: PlannedRun;
  /** The run's config with dataset paths as their "$data:<key>" references (what ids hash). */
  symbolic: RunConfig;
  /** The run's resolved view pipelines (their normalisation feeds evaluation). */
  pipelines: ViewPipeline[];
}

/** Everything a random-init evaluation of a run's backbone depends on, besides the evaluation's options. */
interface BackboneConfig {
  backbone: string;
  backboneOptions: RunConfig['backboneOptions'];
  size: number;
  normalization: ReturnType<typeof runNormalization>;
  seed: number;
}

function backboneConfig(member: BaselineMember): BackboneConfig {
  const c = member.symbolic;
  return { backbone: c.backbone, backboneOptions: c.backboneOptions, size: c.augmentation.size, normalization: runNormalization(member.pipelines), seed: c.seed };
}

/** What varies between the configurations apart from the seed, for each of them ('' when nothing does). */
function architectures(configs: BackboneConfig[]): string[] {
  const varies = (get: (c: BackboneConfig) => unknown): boolean => new Set(configs.map((c) => stableStringify(get(c)))).size > 1;
  const optionKeys = [...new Set(configs.flatMap((c) => Object.keys(c.backboneOptions)))].sort().filter((k) => varies((c) => c.backboneOptions[k]));
  const backbone = varies((c) => c.backbone);
  const size = varies((c) => c.size);
  const normalization = varies((c) => c.normalization);
  return configs.map((c) =>
    [
      backbone ? c.backbone : '',
      optionKeys.map((k) => `${k}=${String(c.backboneOptions[k])}`).join(' '),
      size ? `${c.size} px` : '',
      normalization ? `mean ${c.normalization.mean.join('/')} std ${c.normalization.std.join('/')}` : '',
    ]
      .filter(Boolean)
      .join(', '),
  );
}

/**
 * The baselines an experiment asks for, as planned runs after its own: for `random-init`, one
 * per distinct backbone configuration of the runs (backbone, options, view size, normalisation,
 * seed), in the order the runs first use it, evaluated with the runs' evaluations. The id hashes
 * that configuration, so it stays the same when the grid grows and a re-run finds it done.
 */
export function planBaselines(kinds: readonly BaselineKind[] | undefined, members: readonly BaselineMember[], dir: string): PlannedRun[] {
  if (!kinds?.includes('random-init') || members.length === 0) return [];
  const groups = new Map<string, { config: BackboneConfig; members: BaselineMember[] }>();
  for (const member of members) {
    const config = backboneConfig(member);
    const key = stableStringify(config);
    const group = groups.get(key);
    if (group) group.members.push(member);
    else groups.set(key, { config, members: [member] });
  }
  const list = [...groups.values()];
  const names = architectures(list.map((g) => g.config));
  const seeds = new Set(list.map((g) => g.config.seed)).size > 1;
  return list.map(({ config, members: group }, i) => {
    const architecture = names[i]!;
    const first = group[0]!.run;
    const shared = Object.fromEntries(
      AXES.map((a) => [a, group[0]!.run.axes[a]] as const).filter(([a, label]) => label !== undefined && group.every((m) => m.run.axes[a] === label)),
    ) as Partial<Record<AxisName, string>>;
    const id = `random-init-${idSlug(config.backbone)}-s${config.seed}-${configId({ baseline: 'random-init', ...config }).slice(0, 8)}`;
    return {
      id,
      label: `random init${architecture ? ` (${architecture})` : ''}${seeds ? ` seed ${config.seed}` : ''}`,
      axes: shared,
      config: first.config,
      dataRefs: first.dataRefs,
      evaluations: first.evaluations,
      runDir: resolve(dir, id),
      baseline: { kind: 'random-init', runs: group.map((m) => m.run.id), architecture },
    };
  });
}

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createRegistry, expandExperiment, type ExpandedExperiment, type Registry } from '@sempair/core';
import { simclrPlugin } from '@sempair/plugin-simclr';
import { vicregPlugin } from '@sempair/plugin-vicreg';

/** A registry with the two methods of the fixture, registered as plugins do. */
export function fixtureRegistry(): Registry {
  const registry = createRegistry();
  registry.use(simclrPlugin);
  registry.use(vicregPlugin);
  return registry;
}

/** Top-1 of each run (by label) and evaluation, as written by hand. */
export const FIXTURE_TOP1: Record<string, Record<string, number>> = {
  'simclr AP': { 'linear-a': 55.75, 'linear-b': 38 },
  'vicreg SP': { 'linear-a': 50.5, 'linear-b': 33.5 },
  'vicreg AP': { 'linear-a': 52.25, 'linear-b': 35 },
};

const small = { perClass: 4, size: 16 };
/** The experiment, as an experiment file would hold it. */
export const FIXTURE_SPEC = {
  id: 'figure4-fixture',
  scale: 'cpu',
  description: 'two methods × SP/AP × two downstream sets (fixture)',
  base: { dataset: 'synthetic', datasetOptions: small, augmentation: { size: 16 }, backbone: 'resnet18', backboneOptions: { width: 4, cifarStem: true }, epochs: 2, batchSize: 16 },
  grid: { methods: ['simclr', 'vicreg'], pairs: [{ label: 'SP', pairs: 'semantic-labels' }, { label: 'AP', pairs: 'augmented' }] },
  evaluations: [
    { name: 'linear-a', evaluator: 'linear', options: { dataset: 'synthetic-shifted', datasetOptions: 'perClass=4,size=16' } },
    { name: 'linear-b', evaluator: 'knn', options: { k: 3, datasetOptions: 'perClass=4,size=16' } },
  ],
  tables: [
    {
      id: 'figure4',
      title: 'Figure 4: methods × SP/AP',
      rows: ['method', 'pairs'],
      columns: { metrics: [{ evaluation: 'linear-a', label: 'set A', paper: 'STL-10' }, { evaluation: 'linear-b', label: 'set B', paper: 'CIFAR-10' }] },
      difference: { axis: 'pairs', a: 'SP', b: 'AP' },
      paper: { 'simclr SP': { 'STL-10': 85.59, 'CIFAR-10': 83.6 }, 'simclr AP': { 'STL-10': 81.76 } },
      paperNotes: ['SimCLR gains most from semantic pairs (+3.83 on STL-10).'],
    },
  ],
};

/**
 * A Figure-4-shaped experiment, expanded as `sempair reproduce` expands one, whose run
 * directories are written by hand (no training): two methods × SP/AP, two downstream
 * evaluations, metrics.jsonl curves; simclr SP is trained but not evaluated (a partial grid),
 * and VICReg's SP is below its AP. `runsDir/<id>-cpu` holds the runs.
 */
export async function figure4Fixture(runsDir: string, registry: Registry): Promise<ExpandedExperiment> {
  const experiment = expandExperiment(FIXTURE_SPEC, { registry, where: 'fixture', invocation: { experiment: 'fixture.yaml', data: {}, runsDir } });
  const now = new Date().toISOString();
  for (const [i, run] of experiment.runs.entries()) {
    await mkdir(join(run.runDir, 'eval'), { recursive: true });
    await writeFile(join(run.runDir, 'config.json'), JSON.stringify(run.config));
    await writeFile(join(run.runDir, 'status.json'), JSON.stringify({ state: 'completed', epoch: 2, step: 20, totalSteps: 20, checkpoint: null, backend: 'wasm', machine: { host: 'node07', platform: 'linux 6.1 (x64)', cpus: 64, cpuModel: 'AMD EPYC 7763', memoryGiB: 503.5, node: '20.19.0' }, startedAt: now, updatedAt: now, finalLoss: 4 + i / 10 }));
    const lines = Array.from({ length: 10 }, (_, s) => JSON.stringify({ step: 2 * (s + 1), epoch: Math.floor(s / 5), loss: 6 - s * 0.2 - i * 0.1, z_std: 0.02 + s * 0.002, lr: 0.1 }));
    await writeFile(join(run.runDir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
    for (const e of run.evaluations) {
      const top1 = FIXTURE_TOP1[run.label]?.[e.name];
      if (top1 === undefined) continue;
      const path = join(run.runDir, 'eval', `${e.name}.json`);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, JSON.stringify({ evaluator: e.evaluator, options: e.requested, metrics: { top1, top5: 90 } }));
    }
  }
  return experiment;
}

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRegistry, resolveRunConfig, type Registry } from '@sempair/core';
import { simclrPlugin } from '@sempair/plugin-simclr';
import { vicregPlugin } from '@sempair/plugin-vicreg';
import type { ReportExperiment } from '../../src/report/report-data.js';

/** A registry with the two methods of the fixture, registered as plugins do. */
export function fixtureRegistry(): Registry {
  const registry = createRegistry();
  registry.use(simclrPlugin);
  registry.use(vicregPlugin);
  return registry;
}

/**
 * A Figure-4-shaped experiment on disk without training: two methods × SP/AP, two downstream
 * evaluations, metrics.jsonl curves and eval results written by hand; simclr SP is left
 * unevaluated so the report shows a partial grid, and VICReg's SP is below its AP.
 */
export async function figure4Fixture(dir: string, registry: Registry): Promise<{ experiment: ReportExperiment; top1: Record<string, Record<string, number>> }> {
  const top1: Record<string, Record<string, number>> = {
    'simclr SP': { 'linear-a': 61.5, 'linear-b': 40.25 },
    'simclr AP': { 'linear-a': 55.75, 'linear-b': 38 },
    'vicreg SP': { 'linear-a': 50.5, 'linear-b': 33.5 },
    'vicreg AP': { 'linear-a': 52.25, 'linear-b': 35 },
  };
  const config = (method: string, pairs: string) =>
    resolveRunConfig([{ method, pairs, seed: 0, dataset: 'synthetic', datasetOptions: { perClass: 4, size: 16 }, augmentation: { size: 16 }, backbone: 'resnet18', backboneOptions: { width: 4, cifarStem: true } }], registry);
  const runs = ['simclr', 'vicreg'].flatMap((method) =>
    ['SP', 'AP'].map((pairs) => ({
      id: `${method}-${pairs.toLowerCase()}-0a1b2c3d`,
      label: `${method} ${pairs}`,
      axes: { method, pairs },
      config: config(method, pairs === 'SP' ? 'semantic-labels' : 'augmented'),
      runDir: join(dir, `${method}-${pairs.toLowerCase()}-0a1b2c3d`),
      evaluations: [{ name: 'linear-a' }, { name: 'linear-b' }],
    })),
  );
  const now = new Date().toISOString();
  for (const [i, run] of runs.entries()) {
    await mkdir(join(run.runDir, 'eval'), { recursive: true });
    await writeFile(join(run.runDir, 'status.json'), JSON.stringify({ state: 'completed', epoch: 2, step: 20, totalSteps: 20, checkpoint: null, backend: 'wasm', startedAt: now, updatedAt: now, finalLoss: 4 + i / 10 }));
    const lines = Array.from({ length: 10 }, (_, s) => JSON.stringify({ step: 2 * (s + 1), epoch: Math.floor(s / 5), loss: 6 - s * 0.2 - i * 0.1, z_std: 0.02 + s * 0.002, lr: 0.1 }));
    await writeFile(join(run.runDir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
    if (run.label === 'simclr SP') continue;
    for (const e of run.evaluations) await writeFile(join(run.runDir, 'eval', `${e.name}.json`), JSON.stringify({ metrics: { top1: top1[run.label]![e.name], top5: 90 } }));
  }
  const experiment: ReportExperiment = {
    id: 'figure4',
    description: 'four methods × SP/AP × downstream datasets (fixture)',
    scale: 'cpu',
    dir,
    axes: [
      { name: 'method', values: [{ label: 'simclr' }, { label: 'vicreg' }] },
      { name: 'pairs', values: [{ label: 'SP' }, { label: 'AP' }] },
    ],
    runs,
    tables: [
      {
        id: 'figure4',
        title: 'Figure 4: methods × SP/AP',
        rows: ['method', 'pairs'],
        columns: { metrics: [{ evaluation: 'linear-a', label: 'set A', paper: 'STL-10' } as never, { evaluation: 'linear-b', label: 'set B', paper: 'CIFAR-10' } as never] },
        difference: { axis: 'pairs', a: 'SP', b: 'AP' },
        paper: { 'simclr SP': { 'STL-10': 85.59, 'CIFAR-10': 83.6 }, 'simclr AP': { 'STL-10': 81.76 } },
        paperNotes: ['SimCLR gains most from semantic pairs (+3.83 on STL-10).'],
      },
    ],
  };
  return { experiment, top1 };
}

// Every method through the same doors: `reproduce --methods` repeats a preset's SP vs AP
// comparison for each method (with its own defaults and the preset's laptop settings), and
// `pretrain --method dino` trains with local crops and logs DINO's collapse monitors.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { jsonLines, sandbox, sempair } from './helpers/cli.js';

const box = await sandbox();

interface PlanRun {
  id: string;
  label: string;
  config: { method: string; methodOptions: Record<string, unknown>; training: { optimizer: string; lr: number }; augmentation: { preset: string } };
}

test('reproduce quick --methods all plans SP and AP for each of the four methods, each with its defaults', async (t) => {
  const result = await sempair(['reproduce', 'quick', '--methods', 'all', '--dry-run', '--json', '--runs-dir', join(box.dir, 'plan')], { env: box.env });
  t.is(result.code, 0, result.stderr);
  const runs = (jsonLines(result.stdout)[0] as { runs: PlanRun[] }).runs;
  const [baseline, ...trained] = runs.map((r) => r.id).reverse();
  t.deepEqual(trained.sort(), ['byol-ap', 'byol-sp', 'dino-ap', 'dino-sp', 'simclr-ap', 'simclr-sp', 'vicreg-ap', 'vicreg-sp']);
  t.regex(baseline!, /^random-init-resnet18-s0-[0-9a-f]{8}$/, 'the four methods share one random-init baseline (one backbone, one seed)');
  const byId = new Map(runs.map((r) => [r.id, r.config]));
  t.is(byId.get('byol-sp')!.augmentation.preset, 'asymmetric');
  t.is(byId.get('vicreg-ap')!.augmentation.preset, 'vicreg');
  t.is(byId.get('simclr-sp')!.augmentation.preset, 'symmetric');
  t.is(byId.get('byol-sp')!.training.lr, 1.0);
  t.is(byId.get('dino-sp')!.methodOptions.numPrototypes, 512);
  t.is(byId.get('dino-sp')!.methodOptions.teacherTemp, 0.07);
  t.is(runs.find((r) => r.id === 'vicreg-sp')!.label, 'vicreg SP');
});

test('reproduce --methods with an unknown method ends in one line naming the installed ones', async (t) => {
  const result = await sempair(['reproduce', 'quick', '--methods', 'simclr,mocov9', '--dry-run'], { env: box.env });
  t.is(result.code, 1);
  t.regex(result.stderr, /mocov9/);
  t.regex(result.stderr, /byol/);
});

test('a tiny preset trains and compares BYOL, VICReg and DINO on SP and AP', async (t) => {
  const shared = {
    dataset: 'synthetic',
    datasetOptions: { perClass: 4, size: 16 },
    backbone: 'resnet18',
    backboneOptions: { width: 4, cifarStem: true },
    augmentation: { size: 16 },
    epochs: 1,
    batchSize: 16,
    seed: 0,
  };
  const preset = {
    id: 'tiny-methods',
    runs: [
      { id: 'sp', label: 'SP', config: { ...shared, method: 'simclr', pairs: 'semantic-labels' } },
      { id: 'ap', label: 'AP', config: { ...shared, method: 'simclr', pairs: 'augmented' } },
    ],
    evaluations: [{ id: 'knn', options: { k: 3, datasetOptions: 'perClass=4,size=16' } }],
    compare: { a: 'SP', b: 'AP' },
    methodSettings: {
      byol: { methodOptions: { projHiddenDim: 16, projOutputDim: 8, predHiddenDim: 16 } },
      vicreg: { methodOptions: { projHiddenDim: 16, projOutputDim: 16 } },
      dino: { methodOptions: { hiddenDim: 16, bottleneckDim: 8, numPrototypes: 32 } },
    },
  };
  const file = join(box.dir, 'tiny-methods.json');
  await writeFile(file, JSON.stringify(preset));
  const runsDir = join(box.dir, 'runs-methods');
  const result = await sempair(['reproduce', '--preset-file', file, '--methods', 'byol,vicreg,dino', '--runs-dir', runsDir, '--jobs', '1', '--json'], {
    env: box.env,
    cwd: box.dir,
    timeoutMs: 300_000,
  });
  t.is(result.code, 0, result.stderr);
  const saved = JSON.parse(await readFile(join(runsDir, 'reproduce-tiny-methods', 'results.json'), 'utf8')) as {
    complete: boolean;
    runs: Array<{ id: string; status: string; evaluations: Record<string, { metrics: Record<string, number> }> }>;
    comparisons: Array<{ a: string; b: string; differences: { knn: { top1: number } } }>;
  };
  t.true(saved.complete);
  t.deepEqual(saved.runs.map((r) => r.id), ['byol-sp', 'byol-ap', 'vicreg-sp', 'vicreg-ap', 'dino-sp', 'dino-ap']);
  for (const run of saved.runs) {
    t.is(run.status, 'completed');
    t.true(Number.isFinite(run.evaluations.knn!.metrics.top1));
  }
  t.deepEqual(saved.comparisons.map((c) => `${c.a} − ${c.b}`), ['byol SP − byol AP', 'vicreg SP − vicreg AP', 'dino SP − dino AP']);
  // The human table has one difference row per method.
  const table = await sempair(['reproduce', '--preset-file', file, '--methods', 'byol,vicreg,dino', '--runs-dir', runsDir, '--jobs', '1'], { env: box.env, cwd: box.dir });
  t.is(table.code, 0, table.stderr);
  t.regex(table.stdout, /dino: SP − AP/);
});

test('pretrain --method dino with local crops logs the collapse monitors and the teacher temperature', async (t) => {
  const runsDir = join(box.dir, 'runs-dino');
  const result = await sempair(
    [
      'pretrain', '--method', 'dino', '--local-crops', '2', '--batch-size', '16', '--image-size', '16', '--epochs', '2',
      '--dataset-options', 'perClass=4,size=16', '--backbone-options', 'width=4',
      '--method-options', 'hiddenDim=16,bottleneckDim=8,numPrototypes=32,warmupTeacherTempEpochs=2', '--runs-dir', runsDir, '--json',
    ],
    { env: box.env, cwd: box.dir, timeoutMs: 300_000 },
  );
  t.is(result.code, 0, result.stderr);
  const final = jsonLines(result.stdout).at(-1) as { status: string; runDir: string; config: { augmentation: { localCrops: number } } };
  t.is(final.status, 'completed');
  t.is(final.config.augmentation.localCrops, 2);
  const metrics = (await readFile(join(final.runDir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
  for (const m of metrics) {
    for (const key of ['z_std', 'teacher_entropy', 'teacher_temp', 'tau']) t.true(Number.isFinite(m[key]), key);
  }
  // Two warm-up epochs: 0.04 in epoch 0, 0.07 in epoch 1 (linspace with both endpoints).
  t.true(Math.abs(metrics[0]!.teacher_temp! - 0.04) < 1e-6);
  t.true(Math.abs(metrics.at(-1)!.teacher_temp! - 0.07) < 1e-6);
});

// `sempair export detectron2` on a run trained by `sempair pretrain` (tiny settings): the file
// it names exists and holds detectron2's layout; a path that is no run ends in one line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { NdArray, unpickle } from '@sempair/core';
import { jsonLines, sandbox, sempair } from './helpers/cli.js';

const box = await sandbox();

test('export detectron2 writes the newest checkpoint as a detectron2 .pkl and prints the config it needs', async (t) => {
  const trained = await sempair([
    'pretrain', '--method', 'simclr', '--backbone', 'resnet18', '--backbone-options', 'width=4,cifarStem=false', '--image-size', '16',
    '--dataset-options', 'perClass=4,size=16,classes=4', '--epochs', '1', '--batch-size', '8', '--warmup-epochs', '0', '--json',
  ], { cwd: box.dir, env: box.env });
  t.is(trained.code, 0, trained.stderr);
  const runDir = (jsonLines(trained.stdout).at(-1) as { runDir: string }).runDir;

  const out = join(box.dir, 'r18.pkl');
  const exported = await sempair(['export', 'detectron2', runDir, '--out', out, '--json'], { cwd: box.dir, env: box.env });
  t.is(exported.code, 0, exported.stderr);
  const report = JSON.parse(exported.stdout) as { out: string; checkpoint: string; weights: Array<{ from: string; name: string; shape: number[] }>; config: Record<string, unknown>; warnings: string[] };
  t.is(report.out, out);
  t.regex(report.checkpoint, /^step-\d{8}$/);
  t.like(report.config, { 'MODEL.RESNETS.DEPTH': 18, 'INPUT.FORMAT': 'RGB', 'MODEL.WEIGHTS': out });
  t.deepEqual(report.warnings, ['width 4: detectron2 builds ResNet-18/34 with 64 channels only']);
  const file = unpickle(readFileSync(out), out) as Map<string, unknown>;
  const model = file.get('model') as Map<string, NdArray>;
  t.deepEqual([...model.keys()], report.weights.map((w) => w.name));
  t.deepEqual(model.get('stem.conv1.weight')!.shape, [4, 3, 7, 7]);
  t.deepEqual(model.get('res5.1.conv2.norm.running_var')!.shape, [32]);
  t.true(report.weights.some((w) => w.from === 'layer2.0.downsample.1.bias' && w.name === 'res3.0.shortcut.norm.bias'));

  const human = await sempair(['export', 'detectron2', runDir], { cwd: box.dir, env: box.env });
  t.is(human.code, 0, human.stderr);
  t.regex(human.stdout, /export\/detectron2-step-\d{8}\.pkl/);
  t.regex(human.stdout, /MODEL\.PIXEL_MEAN\s+│ \[123\.675, 116\.28, 103\.53\]/);
  t.regex(human.stdout, /Note: width 4/);

  const missing = await sempair(['export', 'detectron2', join(box.dir, 'no-such-run')], { cwd: box.dir, env: box.env });
  t.is(missing.code, 1);
  t.is(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  t.regex(missing.stderr, /^Error: run config not found: .*no-such-run.* — /);
});

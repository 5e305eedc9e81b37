// `sempair eval finetune`: a random-init baseline on tiny settings runs end to end and prints
// its metrics as JSON; bad evaluator options end in one line naming the option and the fix.
import test from 'ava';
import { jsonLines, sandbox, sempair } from './helpers/cli.js';

const box = await sandbox();
const TINY = [
  '--random-init', '--backbone', 'resnet18', '--backbone-options', 'width=4', '--image-size', '16',
  '--dataset-options', 'perClass=4,size=16,classes=4', '--epochs', '1', '--batch-size', '8', '--warmup-epochs', '0',
];

interface Result {
  type: string;
  evaluator: string;
  metrics: Record<string, number>;
  details: Record<string, unknown>;
  options: Record<string, unknown>;
}

test('eval finetune --random-init trains and reports top-1/top-5 as JSON', async (t) => {
  const result = await sempair(['eval', 'finetune', ...TINY, '--min-crop-scale', '0.5', '--label-smoothing', '0.1', '--json'], { cwd: box.dir, env: box.env });
  t.is(result.code, 0, result.stderr);
  const lines = jsonLines(result.stdout);
  t.true(lines.some((l) => l.type === 'progress' && (l as { phase?: string }).phase === 'finetune'), 'training progress is reported');
  const final = lines.at(-1) as unknown as Result;
  t.is(final.type, 'result');
  t.is(final.evaluator, 'finetune');
  t.deepEqual(Object.keys(final.metrics).sort(), ['top1', 'top5', 'trainTop1']);
  t.is(final.metrics.top5, 100, 'top-4 of 4 classes');
  t.like(final.details, { classes: 4, trainSize: 16, testSize: 16, imageSize: 16, steps: 2 });
  t.like(final.options, { minCropScale: 0.5, labelSmoothing: 0.1, optimizer: 'adamw' });
});

test('bad finetune options end in one line naming the fix', async (t) => {
  for (const [args, pattern] of [
    [['--min-crop-scale', '0'], /option 'minCropScale' must be >= 0\.01, got "0" — pass a valid value, e\.g\. minCropScale=0\.2/],
    [['--optimizer', 'lars'], /option 'optimizer' must be one of adamw, sgd/],
  ] as const) {
    const result = await sempair(['eval', 'finetune', ...TINY, ...args], { cwd: box.dir, env: box.env });
    t.not(result.code, 0);
    const lines = result.stderr.trim().split('\n');
    t.is(lines.length, 1, result.stderr);
    t.regex(lines[0]!, /^Error: .+ — .+/);
    t.regex(lines[0]!, pattern);
    t.is(result.stdout, '');
  }
});

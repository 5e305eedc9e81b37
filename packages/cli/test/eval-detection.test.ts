// `sempair eval detection` on a run trained by `sempair pretrain` and a synthetic VOC set from
// `sempair data make-voc` (tiny settings): --checkpoint trains and scores the detector, prints the
// per-class AP table, writes eval/detection.json (detection-random.json for --random-init); user
// mistakes end in one line.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { jsonLines, sandbox, sempair } from './helpers/cli.js';

const box = await sandbox();
const voc = join(box.dir, 'voc');
const TINY = ['--voc', voc, '--preset', 'cpu', '--iterations', '2', '--precise-bn-iterations', '2', '--batch-size', '2', '--train-min-sizes', '40', '--test-min-size', '40', '--rpn-post-nms-test', '20'];

let runDir = '';
test.before(async () => {
  const made = await sempair(['data', 'make-voc', '--out', voc, '--images', '8', '--size', '48', '--quiet'], { cwd: box.dir, env: box.env });
  if (made.code !== 0) throw new Error(made.stderr);
  const trained = await sempair([
    'pretrain', '--method', 'simclr', '--backbone', 'resnet18', '--backbone-options', 'width=4', '--image-size', '16',
    '--dataset-options', 'perClass=4,size=16,classes=4', '--epochs', '1', '--batch-size', '8', '--warmup-epochs', '0', '--json',
  ], { cwd: box.dir, env: box.env });
  if (trained.code !== 0) throw new Error(trained.stderr);
  runDir = (jsonLines(trained.stdout).at(-1) as { runDir: string }).runDir;
});

test.serial('eval detection --checkpoint trains, prints per-class AP and the summary, saves eval/detection.json', async (t) => {
  const result = await sempair(['eval', 'detection', '--checkpoint', runDir, ...TINY], { cwd: box.dir, env: box.env });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /│ class\s+│ objects │ detections │ AP\s+│ AP50 │ AP75 │/);
  for (const cls of ['ring', 'cross', 'triangle', 'star']) t.regex(result.stdout, new RegExp(`│ ${cls}\\s+│`));
  t.regex(result.stdout, /│ AP50\s+│ \d+\.\d\d\s+│/);
  const saved = JSON.parse(readFileSync(join(runDir, 'eval', 'detection.json'), 'utf8')) as { metrics: Record<string, number>; randomInit: boolean; checkpoint: string; details: { perClass: unknown[]; iterations: number; preciseBn: { iterations: number; layers: number } } };
  t.deepEqual(Object.keys(saved.metrics), ['AP', 'AP50', 'AP75']);
  t.false(saved.randomInit);
  t.regex(saved.checkpoint, /^step-\d{8}$/);
  t.is(saved.details.perClass.length, 4);
  t.is(saved.details.iterations, 2);
  // PreciseBN ran over the trunk's 20 batch norms (ResNet-18) and the extra norm of res5.
  t.like(saved.details.preciseBn, { iterations: 2, layers: 21 });
});

test.serial('--random-init of the run is the baseline, saved beside it; --json reports progress and the result', async (t) => {
  const result = await sempair(['eval', 'detection', runDir, ...TINY, '--random-init', '--json'], { cwd: box.dir, env: box.env });
  t.is(result.code, 0, result.stderr);
  const lines = jsonLines(result.stdout);
  t.true(lines.some((l) => l.type === 'progress' && l.phase === 'train'));
  t.true(lines.some((l) => l.type === 'progress' && l.phase === 'test'));
  const final = lines.at(-1) as { type: string; evaluator: string; randomInit: boolean; metrics: Record<string, number> };
  t.like(final, { type: 'result', evaluator: 'detection', randomInit: true });
  t.true(existsSync(join(runDir, 'eval', 'detection-random.json')));
});

test.serial('mistakes end in one line naming the fix', async (t) => {
  for (const [args, pattern] of [
    [['--checkpoint', runDir, '--preset', 'cpu'], /needs a VOCdevkit — pass --voc <VOCdevkit folder>/],
    [['--checkpoint', runDir, '--voc', voc, '--preset', 'gpu'], /option 'preset' must be one of moco, cpu/],
    [['--checkpoint', join(box.dir, 'no-run'), ...TINY], /not a run directory: .*no-run/],
    [['--checkpoint', runDir, ...TINY, '--lr-steps', '5,1'], /lrSteps must be increasing whole iterations/],
  ] as const) {
    const result = await sempair(['eval', 'detection', ...args], { cwd: box.dir, env: box.env });
    t.not(result.code, 0);
    const lines = result.stderr.trim().split('\n');
    t.is(lines.length, 1, result.stderr);
    t.regex(lines[0]!, /^Error: .+ — .+/);
    t.regex(lines[0]!, pattern);
  }
});

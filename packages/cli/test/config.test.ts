// Settings come from flags, then the config file cosmiconfig finds (or --config names), then
// the method's and plugins' defaults. Checked with `pretrain --dry-run --json`, which resolves
// and validates everything and trains nothing.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { jsonLines, sandbox, sempair } from './helpers/cli.js';

const box = await sandbox();

interface Resolved {
  method: string;
  epochs: number;
  batchSize: number;
  pairs: string;
  training: { lr: number; optimizer: string; weightDecay: number };
  methodOptions: Record<string, unknown>;
  augmentation: { preset: string; size: number; disable: string[] };
}

async function dryRun(files: Record<string, string>, args: string[] = []): Promise<Resolved> {
  const cwd = join(box.dir, `case-${Math.random().toString(36).slice(2)}`);
  await mkdir(cwd, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(cwd, name, '..'), { recursive: true });
    await writeFile(join(cwd, name), content);
  }
  const result = await sempair(['pretrain', '--dry-run', '--json', ...args], { cwd, env: box.env });
  if (result.code !== 0) throw new Error(result.stderr);
  const [doc] = jsonLines(result.stdout);
  return (doc as { config: Resolved }).config;
}

test('no flags, no file: the defaults (SimCLR on semantic pairs of the embedded data)', async (t) => {
  const config = await dryRun({});
  t.is(config.method, 'simclr');
  t.is(config.pairs, 'semantic-labels');
  t.is(config.epochs, 10);
  t.is(config.augmentation.preset, 'symmetric');
});

test('flags beat the config file, which beats the method defaults', async (t) => {
  const config = await dryRun(
    { 'sempair.config.yaml': 'epochs: 3\nbatchSize: 64\ntraining:\n  lr: 0.2\nmethodOptions:\n  temperature: 0.5\n' },
    ['--epochs', '2', '--method-options', 'temperature=0.3'],
  );
  t.is(config.epochs, 2, 'flag');
  t.is(config.batchSize, 64, 'file');
  t.is(config.training.lr, 0.2, 'file, nested');
  t.is(config.training.optimizer, 'lars', 'method default');
  t.is(config.methodOptions.temperature, 0.3, 'flag over file, key by key');
});

test('every config file place is found', async (t) => {
  t.is((await dryRun({ 'sempair.config.json': '{"epochs": 4}' })).epochs, 4);
  t.is((await dryRun({ 'sempair.config.mjs': 'export default { epochs: 5 };' })).epochs, 5);
  t.is((await dryRun({ 'sempair.config.cjs': 'module.exports = { epochs: 6 };' })).epochs, 6);
  t.is((await dryRun({ '.sempairrc': 'epochs: 7\n' })).epochs, 7);
  t.is((await dryRun({ '.sempairrc.yml': 'epochs: 8\n' })).epochs, 8);
  t.is((await dryRun({ 'package.json': '{"name": "x", "sempair": {"epochs": 9}}' })).epochs, 9);
  t.is((await dryRun({ 'conf/my.yaml': 'epochs: 11\n' }, ['--config', 'conf/my.yaml'])).epochs, 11);
});

test('repeated option flags merge; ablation flags reach the config', async (t) => {
  const config = await dryRun({}, [
    '--method-options', 'temperature=0.4', '--method-options', 'projOutputDim=64,projHiddenDim=128',
    '--disable-aug', 'grayscale,blur', '--disable-aug', 'rotate', '--image-size', '24',
  ]);
  t.deepEqual(config.methodOptions, { temperature: 0.4, projOutputDim: 64, projHiddenDim: 128 });
  t.deepEqual(config.augmentation.disable, ['grayscale', 'blur', 'rotate']);
  t.is(config.augmentation.size, 24);
});

test('--skip-bad and --local-crops reach the dataset options and the augmentation', async (t) => {
  const root = join(box.dir, 'folder');
  await mkdir(join(root, 'cat'), { recursive: true });
  const sharp = (await import('sharp')).default;
  await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 10, b: 10 } } }).png().toFile(join(root, 'cat', 'a.png'));
  await writeFile(join(root, 'cat', 'broken.png'), 'not an image');
  const config = (await dryRun({}, ['--dataset', 'image-folder', '--dataset-options', `root=${root},size=8`, '--skip-bad', '--local-crops', '2', '--pairs', 'augmented'])) as Resolved & {
    datasetOptions: Record<string, unknown>;
    augmentation: { localCrops: number };
  };
  t.is(config.datasetOptions.skipBad, true);
  t.is(config.augmentation.localCrops, 2);
});

// Errors a user can cause end in one line on stderr naming what is wrong and what to do, a
// non-zero exit code, no stack trace (unless --debug), nothing on stdout, and no run directory.
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { sandbox, sempair, type CliResult } from './helpers/cli.js';

const box = await sandbox();

function assertOneLineError(t: ExecutionContext, result: CliResult, pattern: RegExp): void {
  t.not(result.code, 0, 'exit code is non-zero');
  const lines = result.stderr.trim().split('\n');
  t.is(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  t.regex(lines[0]!, /^Error: .+ — .+/, 'the line names the problem, then the fix');
  t.regex(lines[0]!, pattern);
  t.notRegex(result.stderr, /\n\s+at /, 'no stack trace');
  t.is(result.stdout, '', 'nothing on stdout');
}

/** Runs `sempair pretrain …` in a fresh directory and checks no run directory was created. */
async function pretrainFails(t: ExecutionContext, args: string[], pattern: RegExp, files: Record<string, string> = {}): Promise<CliResult> {
  const cwd = join(box.dir, `case-${Math.random().toString(36).slice(2)}`);
  await writeFile(join(box.dir, '.keep'), '');
  await import('node:fs/promises').then((fs) => fs.mkdir(cwd, { recursive: true }));
  for (const [name, content] of Object.entries(files)) await writeFile(join(cwd, name), content);
  const result = await sempair(['pretrain', '--runs-dir', 'runs', ...args], { cwd, env: box.env });
  assertOneLineError(t, result, pattern);
  const runs = join(cwd, 'runs');
  t.true(!existsSync(runs) || (await readdir(runs)).length === 0, 'no run directory left behind');
  return result;
}

test('unknown method', async (t) => {
  await pretrainFails(t, ['--method', 'nope'], /unknown method 'nope' — use --method with one of: .*simclr/);
});

test('unknown dataset', async (t) => {
  await pretrainFails(t, ['--dataset', 'nope'], /unknown dataset 'nope' — use --dataset with one of: .*synthetic/);
});

test('unknown pair source and backbone', async (t) => {
  await pretrainFails(t, ['--pairs', 'nope'], /unknown pair source 'nope'.*semantic-labels/);
  await pretrainFails(t, ['--backbone', 'nope'], /unknown backbone 'nope'.*resnet18/);
});

test('bad flag values', async (t) => {
  const epochs = await pretrainFails(t, ['--epochs', 'abc'], /--epochs: expected an integer.*abc.*--help/);
  t.is(epochs.code, 2, 'usage errors exit with 2');
  await pretrainFails(t, ['--optimizer', 'rmsprop'], /--optimizer.*sgd, lars, adamw/);
  await pretrainFails(t, ['--lr', 'fast'], /number.*fast/);
  await pretrainFails(t, ['--method-options', 'temperature=hot'], /method simclr: option 'temperature' must be a number/);
  await pretrainFails(t, ['--method-options', 'nosuch=1'], /method simclr has no option 'nosuch' — use one of: .*temperature/);
  await pretrainFails(t, ['--dataset-options', 'perClass'], /cannot read 'perClass' — write options as key=value/);
  await pretrainFails(t, ['--disable-aug', 'sparkle'], /unknown augmentation step 'sparkle'/);
  await pretrainFails(t, ['--nosuchflag'], /Nonexistent flag: --nosuchflag/);
});

test('missing config file', async (t) => {
  await pretrainFails(t, ['--config', 'missing.yaml'], /config file not found: missing\.yaml — check the path given to --config/);
});

test('malformed config files, found or given', async (t) => {
  await pretrainFails(t, [], /cannot read config file sempair\.config\.json: .+ — fix its syntax/, {
    'sempair.config.json': '{ "epochs": 3,, }',
  });
  await pretrainFails(t, ['--config', 'bad.yaml'], /cannot read config file bad\.yaml: .+ — fix its syntax/, {
    'bad.yaml': 'epochs: [1, 2\nmethod: simclr\n',
  });
  await pretrainFails(t, [], /config file \.sempairrc\.json: unknown key 'epoch' — use one of: .*epochs/, {
    '.sempairrc.json': '{ "epoch": 3 }',
  });
  await pretrainFails(t, [], /unknown method 'simclr2'.*config file/, {
    'sempair.config.yaml': 'method: simclr2\n',
  });
});

test('a manifest naming absent images, a dataset folder that does not exist', async (t) => {
  await pretrainFails(t, ['--pairs', 'semantic-manifest', '--pair-options', 'manifest=pairs.csv'], /manifest pairs\.csv names 2 image\(s\) that do not exist.* — fix the paths/, {
    'pairs.csv': 'class,image_a,image_b\ncat,a.png,b.png\n',
  });
  await pretrainFails(t, ['--dataset', 'idx', '--dataset-options', 'dir=no-such-dir'], /dataset idx: directory .*no-such-dir does not exist — /);
});

test('--debug shows the stack trace', async (t) => {
  const result = await sempair(['pretrain', '--method', 'nope', '--debug', '--runs-dir', join(box.dir, 'debug-runs')], { cwd: box.dir, env: box.env });
  t.not(result.code, 0);
  t.regex(result.stderr, /^Error: unknown method 'nope'/);
  t.regex(result.stderr, /\n\s+at /);
});

test('sempair eval needs a run directory that exists', async (t) => {
  assertOneLineError(t, await sempair(['eval', 'linear', join(box.dir, 'no-such-run')], { env: box.env }), /not a run directory/);
  assertOneLineError(t, await sempair(['eval', 'knn'], { env: box.env }), /needs a run directory/);
  assertOneLineError(t, await sempair(['eval', 'linear', '--random-init'], { env: box.env }), /needs --backbone/);
});

test('unknown method in sempair methods, unknown experiment in sempair reproduce', async (t) => {
  assertOneLineError(t, await sempair(['methods', 'nope'], { env: box.env }), /unknown method 'nope'/);
  assertOneLineError(t, await sempair(['reproduce', 'nope'], { env: box.env }), /no experiment 'nope': not a preset, not in the config file's experiments, not a file — use one of: quick, table1/);
});

// The plugin door, end to end through the built CLI: an out-of-tree plugin linked with
// `sempair plugins link` registers a method through the `sempair:register` hook, shows in
// `sempair methods` and trains (in `reproduce`'s child processes too); plugins that import @sempair/core get the host's copy; a plugin
// whose hook throws ends commands with one line naming it.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { jsonLines, REPO, sandbox, sempair } from './helpers/cli.js';

const EXAMPLE = join(REPO, 'examples/plugin-example');
const FIXTURES = join(REPO, 'packages/cli/test/fixtures');
const box = await sandbox();

test.serial('sempair plugins link adds the example plugin without installing anything', async (t) => {
  const link = await sempair(['plugins', 'link', EXAMPLE, '--no-install'], { env: box.env });
  t.is(link.code, 0, link.stderr);
  const list = await sempair(['plugins'], { env: box.env });
  t.regex(list.stdout, /sempair-plugin-example/);
});

test.serial('sempair methods lists the linked method with its plugin as origin', async (t) => {
  const human = await sempair(['methods'], { env: box.env });
  t.is(human.code, 0, human.stderr);
  t.regex(human.stdout, /example-align/);
  t.regex(human.stdout, /sempair-plugin-example/);
  t.regex(human.stdout, /simclr/, 'built-in plugins register through the same hook');

  const json = await sempair(['methods', '--json'], { env: box.env });
  const [doc] = jsonLines(json.stdout);
  const methods = (doc as { methods: Array<{ id: string; plugin: string }> }).methods;
  t.deepEqual(methods.find((m) => m.id === 'example-align')?.plugin, 'sempair-plugin-example');
  t.is(methods.find((m) => m.id === 'simclr')?.plugin, '@sempair/plugin-simclr');

  const detail = await sempair(['methods', 'example-align', '--json'], { env: box.env });
  t.is(detail.code, 0, detail.stderr);
  const described = JSON.parse(detail.stdout) as { options: Record<string, { default: unknown }>; training: { optimizer: string } };
  t.is(described.options.projDim?.default, 64);
  t.is(described.training.optimizer, 'sgd');
});

test.serial('sempair pretrain trains the linked method', async (t) => {
  const runs = join(box.dir, 'runs');
  const result = await sempair(
    [
      'pretrain', '--method', 'example-align', '--method-options', 'projDim=16,uniformityWeight=0.5',
      '--epochs', '1', '--batch-size', '16', '--image-size', '16',
      '--dataset-options', 'perClass=4,size=16', '--backbone-options', 'width=4',
      '--runs-dir', runs, '--name', 'align', '--json',
    ],
    { env: box.env, cwd: box.dir, timeoutMs: 180_000 },
  );
  t.is(result.code, 0, result.stderr);
  const lines = jsonLines(result.stdout);
  const final = lines.at(-1) as { type: string; status: string; steps: number; finalLoss: number; runDir: string };
  t.is(final.type, 'result');
  t.is(final.status, 'completed');
  t.true(final.steps >= 1);
  t.true(Number.isFinite(final.finalLoss));
  t.true(lines.some((l) => l.type === 'progress'), 'progress is reported as JSON lines');
  const config = JSON.parse(await readFile(join(final.runDir, 'config.json'), 'utf8')) as { method: string; methodOptions: Record<string, unknown> };
  t.is(config.method, 'example-align');
  t.deepEqual(config.methodOptions, { projDim: 16, uniformityWeight: 0.5, t: 2 });
});

test.serial('sempair reproduce --jobs 2 trains the linked method in child processes', async (t) => {
  const shared = {
    method: 'example-align', methodOptions: { projDim: 16 }, dataset: 'synthetic', datasetOptions: { perClass: 4, size: 16 },
    backboneOptions: { width: 4 }, augmentation: { size: 16 }, epochs: 1, batchSize: 16,
  };
  const preset = join(box.dir, 'align-preset.json');
  await writeFile(preset, JSON.stringify({
    id: 'align',
    runs: [
      { id: 'sp', label: 'SP', config: { ...shared, pairs: 'semantic-labels' } },
      { id: 'ap', label: 'AP', config: { ...shared, pairs: 'augmented' } },
    ],
    evaluations: [],
  }));
  const runs = join(box.dir, 'runs-reproduce');
  const result = await sempair(['reproduce', '--preset-file', preset, '--runs-dir', runs, '--jobs', '2', '--json'], { env: box.env, cwd: box.dir, timeoutMs: 180_000 });
  t.is(result.code, 0, result.stderr);
  const lines = jsonLines(result.stdout);
  t.is(lines.filter((l) => l.type === 'process').length, 2, 'each run in its own process');
  const final = lines.at(-1) as { type: string; runs: Array<{ status: string; runDir: string }> };
  t.deepEqual(final.runs.map((r) => r.status), ['completed', 'completed']);
  const config = JSON.parse(await readFile(join(final.runs[0]!.runDir, 'config.json'), 'utf8')) as { method: string };
  t.is(config.method, 'example-align');
});

test.serial('a plugin importing @sempair/core by name gets the host copy', async (t) => {
  // Copied out of the repository so that no node_modules above it could resolve the imports.
  const dir = join(box.dir, 'plugin-imports-core');
  await cp(join(FIXTURES, 'plugin-imports-core'), dir, { recursive: true });
  const link = await sempair(['plugins', 'link', dir, '--no-install'], { env: box.env });
  t.is(link.code, 0, link.stderr);
  const methods = await sempair(['methods'], { env: box.env });
  t.is(methods.code, 0, methods.stderr);
  t.regex(methods.stdout, /fixture-imports-core/);
  const unlink = await sempair(['plugins', 'unlink', 'sempair-plugin-imports-core'], { env: box.env });
  t.is(unlink.code, 0, unlink.stderr);
});

test.serial('a plugin whose hook throws ends commands with one line naming it; doctor lists it', async (t) => {
  const dir = join(box.dir, 'plugin-broken');
  await cp(join(FIXTURES, 'plugin-broken'), dir, { recursive: true });
  t.is((await sempair(['plugins', 'link', dir, '--no-install'], { env: box.env })).code, 0);

  const methods = await sempair(['methods'], { env: box.env });
  t.not(methods.code, 0);
  const lines = methods.stderr.trim().split('\n');
  t.is(lines.length, 1, methods.stderr);
  t.regex(lines[0]!, /^Error: plugin sempair-plugin-broken failed to register: boom.* — .*unlink/);

  const doctor = await sempair(['doctor', '--json'], { env: box.env });
  t.is(doctor.code, 0, doctor.stderr);
  const report = JSON.parse(doctor.stdout) as { failures: Array<{ plugin: string }> };
  t.deepEqual(report.failures.map((f) => f.plugin), ['sempair-plugin-broken']);

  t.is((await sempair(['plugins', 'unlink', 'sempair-plugin-broken'], { env: box.env })).code, 0);
  t.is((await sempair(['methods'], { env: box.env })).code, 0);
});

test.serial('sempair plugins unlink removes the example method', async (t) => {
  t.is((await sempair(['plugins', 'unlink', 'sempair-plugin-example'], { env: box.env })).code, 0);
  const methods = await sempair(['methods'], { env: box.env });
  t.notRegex(methods.stdout, /example-align/);
  t.false(existsSync(join(box.dir, 'xdg-data', 'sempair', 'node_modules', 'sempair-plugin-example')));
});

// `sempair pretrain` on tiny settings: JSON progress and result, Ctrl-C saves and prints how to
// resume, --resume finishes the run, a NaN loss stops with a message and a non-zero exit.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { BIN, jsonLines, sandbox, sempair } from './helpers/cli.js';

const box = await sandbox();
const TINY = [
  '--batch-size', '16', '--image-size', '16', '--dataset-options', 'perClass=8,size=16',
  '--backbone-options', 'width=4', '--method-options', 'projHiddenDim=32,projOutputDim=16',
];

interface Result {
  type: string;
  status: string;
  steps: number;
  runDir: string;
  resume?: string;
}

test('Ctrl-C stops with a checkpoint and the resume command; --resume finishes the run', async (t) => {
  const runs = join(box.dir, 'runs-interrupt');
  const child = spawn(process.execPath, [BIN, 'pretrain', ...TINY, '--epochs', '20', '--runs-dir', runs, '--json'], {
    cwd: box.dir,
    env: { ...process.env, ...box.env, NODE_ENV: undefined, CI: 'true' },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // Interrupt once the first progress line shows that training runs.
  child.stdout.on('data', (d) => {
    const before = stdout;
    stdout += d;
    if (!before.includes('"type":"progress"') && stdout.includes('"type":"progress"')) child.kill('SIGINT');
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  t.is(code, 130, stderr);
  const result = jsonLines(stdout).at(-1) as unknown as Result;
  t.is(result.status, 'aborted');
  t.true(result.steps >= 1);
  t.is(result.resume, `sempair pretrain --resume ${result.runDir}`);
  t.regex(stderr, /Resume with: sempair pretrain --resume /);
  t.true(existsSync(join(result.runDir, 'checkpoints')));

  const resumed = await sempair(['pretrain', '--resume', result.runDir, '--json'], { cwd: box.dir, env: box.env, timeoutMs: 300_000 });
  t.is(resumed.code, 0, resumed.stderr);
  const final = jsonLines(resumed.stdout).at(-1) as unknown as Result;
  t.is(final.status, 'completed');
  const status = JSON.parse(await readFile(join(result.runDir, 'status.json'), 'utf8')) as { state: string; totalSteps: number };
  t.is(status.state, 'completed');
  t.is(final.steps, status.totalSteps);
  t.true(final.steps > result.steps);
});

test('--resume keeps the saved config: run flags are refused', async (t) => {
  const result = await sempair(['pretrain', '--resume', join(box.dir, 'whatever'), '--epochs', '3'], { cwd: box.dir, env: box.env });
  t.is(result.code, 1);
  t.regex(result.stderr, /^Error: --resume continues a run with its saved config; --epochs cannot change it — /);
});

test('a NaN loss stops the run with a message and a non-zero exit; the run is kept', async (t) => {
  const runs = join(box.dir, 'runs-nan');
  const result = await sempair(
    ['pretrain', ...TINY, '--epochs', '2', '--optimizer', 'sgd', '--lr', '1e30', '--warmup-epochs', '0', '--runs-dir', runs, '--quiet'],
    { cwd: box.dir, env: box.env },
  );
  t.is(result.code, 1);
  t.regex(result.stderr, /^Error: training stopped: loss became NaN.*lower --lr/m);
  t.is(result.stdout, '');
  t.true(existsSync(runs), 'the stopped run stays on disk, with its status');
});

test('--eval evaluates after training with options from the config file, and prints a table', async (t) => {
  const config = join(box.dir, 'eval.yaml');
  await writeFile(config, 'evaluators:\n  knn: { k: 3, datasetOptions: "perClass=4,size=16" }\n');
  const runs = join(box.dir, 'runs-eval');
  const result = await sempair(['pretrain', ...TINY, '--epochs', '1', '--runs-dir', runs, '--eval', 'knn', '--config', config], {
    cwd: box.dir,
    env: box.env,
    timeoutMs: 300_000,
  });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /Run completed: /);
  t.regex(result.stdout, /│ knn\s+│\s+\d+\.\d\d\s+│/);
  const [runDir] = await readdir(runs);
  const saved = JSON.parse(await readFile(join(runs, runDir!, 'eval', 'knn.json'), 'utf8')) as { options: { k: number } };
  t.is(saved.options.k, 3);
});

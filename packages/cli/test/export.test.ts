// `sempair export tensorboard|csv` on an experiment directory: every run found, event files
// that an independent reader decodes (core's fixtures/read_tfevents.py), CSVs, one-line errors.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { jsonLines, REPO, sandbox, sempair } from './helpers/cli.js';

const run = promisify(execFile);
const box = await sandbox();
const hasPython = existsSync('/usr/bin/python3');

async function experiment(): Promise<string> {
  const dir = join(box.dir, 'runs', 'reproduce-x');
  const now = new Date().toISOString();
  for (const [id, state, loss] of [['sp', 'completed', 4.5], ['ap', 'completed', 5.5], ['live', 'running', 6]] as const) {
    await mkdir(join(dir, id, 'eval'), { recursive: true });
    await writeFile(join(dir, id, 'config.json'), '{}');
    await writeFile(join(dir, id, 'status.json'), JSON.stringify({ state, epoch: 1, step: 4, totalSteps: 4, checkpoint: null, backend: 'wasm', startedAt: now, updatedAt: now }));
    await writeFile(join(dir, id, 'metrics.jsonl'), [2, 4].map((step) => JSON.stringify({ step, epoch: 0, loss: loss - step / 4, lr: 0.5, time: step })).join('\n') + '\n');
  }
  await writeFile(join(dir, 'sp', 'eval', 'knn.json'), JSON.stringify({ metrics: { top1: 40 } }));
  return dir;
}

(hasPython ? test : test.skip)(`export tensorboard writes decodable event files for every finished run${hasPython ? '' : ': needs /usr/bin/python3'}`, async (t) => {
  const dir = await experiment();
  const result = await sempair(['export', 'tensorboard', dir, '--json'], { env: box.env });
  t.is(result.code, 0, result.stderr);
  const { runs } = jsonLines(result.stdout)[0] as { runs: Array<{ run: string; file?: string; events?: number; skipped?: string }> };
  t.deepEqual(runs.map((r) => [r.run.split('/').at(-1), r.events ?? r.skipped]), [['ap', 2], ['live', 'still training (its live event file is current)'], ['sp', 3]]);
  const sp = runs.find((r) => r.run.endsWith('/sp'))!;
  const { stdout } = await run('/usr/bin/python3', [join(REPO, 'packages/core/test/fixtures/read_tfevents.py'), sp.file!]);
  const events = stdout.trim().split('\n').map((l) => JSON.parse(l) as { step: number; values?: Record<string, number> });
  t.deepEqual(events.map((e) => [e.step, e.values]), [[0, undefined], [2, { 'pretrain/epoch': 0, 'pretrain/loss': 4, 'pretrain/lr': 0.5 }], [4, { 'pretrain/epoch': 0, 'pretrain/loss': 3.5, 'pretrain/lr': 0.5 }], [4, { 'eval/knn/top1': 40 }]]);
  const human = await sempair(['export', 'tensorboard', join(dir, 'ap')], { env: box.env });
  t.is(human.code, 0, human.stderr);
  t.regex(human.stderr, /Open with: tensorboard --logdir \S*reproduce-x\/ap/);
});

test('export csv writes metrics.csv per run; a directory without runs is one line', async (t) => {
  const dir = await experiment();
  const result = await sempair(['export', 'csv', dir], { env: box.env });
  t.is(result.code, 0, result.stderr);
  t.is(await readFile(join(dir, 'ap', 'metrics.csv'), 'utf8'), 'step,epoch,loss,lr,time\r\n2,0,5,0.5,2\r\n4,0,4.5,0.5,4\r\n');
  t.true((await readdir(join(dir, 'sp'))).includes('metrics.csv'));
  const empty = join(box.dir, 'empty');
  await mkdir(empty, { recursive: true });
  const none = await sempair(['export', 'csv', empty], { env: box.env });
  t.is(none.code, 1);
  t.regex(none.stderr, /^Error: no run directories under .*empty — give a directory holding runs/);
});

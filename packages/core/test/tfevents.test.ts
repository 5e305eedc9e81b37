// TensorBoard event files and metrics.csv from a run's metrics: CRC-32C against its published
// check value, and the files decoded by an independent reader (fixtures/read_tfevents.py,
// standard-library python3: TFRecord framing with both CRCs checked, then the Event protobuf).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { crc32c, metricsCsv, MetricsLog, TENSORBOARD_DIR, writeMetricsCsv, writeTensorBoardEvents } from '../src/index.js';

const run = promisify(execFile);
const READER = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'read_tfevents.py');
const PYTHON = '/usr/bin/python3';
const hasPython = existsSync(PYTHON);

interface Decoded {
  wall_time: number;
  step: number;
  file_version?: string;
  values?: Record<string, number>;
  session_log_status?: number;
}

async function decode(path: string): Promise<Decoded[]> {
  const { stdout } = await run(PYTHON, [READER, path]);
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as Decoded);
}

// The masked CRCs are checked by the python reader below.
test('CRC-32C matches its published check value', (t) => {
  t.is(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  t.is(crc32c(new Uint8Array(32)), 0x8a9136aa, 'RFC 3720 B.4: 32 bytes of zeros');
});

async function runWithMetrics(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sempair-tfevents-'));
  await mkdir(join(dir, 'eval'), { recursive: true });
  const startedAt = '2026-01-02T03:04:05.000Z';
  await writeFile(join(dir, 'status.json'), JSON.stringify({ state: 'completed', epoch: 2, step: 20, totalSteps: 20, checkpoint: null, backend: 'wasm', startedAt, updatedAt: startedAt }));
  const lines = [
    { step: 10, epoch: 0, lr: 0.1, loss: 5.5, z_std: 0.03, time: 1.5 },
    { step: 20, epoch: 1, lr: 0.05, loss: 5.25, z_std: 0.04, time: 3 }, // logged, then the process was killed
    { step: 20, epoch: 1, lr: 0.05, loss: 5.125, z_std: 0.041, time: 2.5 }, // the resumed session's line
  ];
  await writeFile(join(dir, 'metrics.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n{"step": 3`);
  await writeFile(join(dir, 'eval', 'linear.json'), JSON.stringify({ metrics: { top1: 61.25, top5: 95.5 } }));
  return dir;
}

(hasPython ? test : test.skip)(`exported event files decode with an independent reader${hasPython ? '' : ': needs /usr/bin/python3'}`, async (t) => {
  const dir = await runWithMetrics();
  const first = await writeTensorBoardEvents(dir);
  const again = await writeTensorBoardEvents(dir);
  t.deepEqual(await readdir(join(dir, TENSORBOARD_DIR)), [again.path.split('/').at(-1)], 'exporting again replaces the file');
  t.regex(again.path, /\/tensorboard\/events\.out\.tfevents\.1767323045\.[\w.-]+$/);
  t.is(first.events, 3);
  const events = await decode(again.path);
  t.deepEqual(events[0], { wall_time: 1767323045, step: 0, file_version: 'brain.Event:2' });
  t.is(events.length, 4);
  t.deepEqual(events[1], { wall_time: 1767323046.5, step: 10, values: { 'pretrain/epoch': 0, 'pretrain/lr': Math.fround(0.1), 'pretrain/loss': 5.5, 'pretrain/z_std': Math.fround(0.03) } });
  t.is(events[2]!.step, 20);
  t.is(events[2]!.values!['pretrain/loss'], 5.125, 'the later line of a step wins');
  t.deepEqual(events[3], { wall_time: 1767323047.5, step: 20, values: { 'eval/linear/top1': 61.25, 'eval/linear/top5': 95.5 } });
});

(hasPython ? test : test.skip)(`the training log writes the same scalars live, and a resumed session marks where it restarts${hasPython ? '' : ': needs /usr/bin/python3'}`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sempair-tfevents-live-'));
  const fresh = await MetricsLog.open(dir, 0);
  await fresh.append({ step: 5, epoch: 0, loss: 4.5, lr: 0.25 });
  await fresh.append({ step: 10, epoch: 0, loss: 4.25, lr: 0.25 });
  const resumed = await MetricsLog.open(dir, 5);
  await resumed.append({ step: 10, epoch: 0, loss: 4, lr: 0.25 });
  const files = (await readdir(join(dir, TENSORBOARD_DIR))).sort();
  t.is(files.length, 2, 'one event file per session');
  const [a, b] = await Promise.all(files.map((f) => decode(join(dir, TENSORBOARD_DIR, f))));
  t.deepEqual(a!.map((e) => [e.step, e.values?.['pretrain/loss']]), [[0, undefined], [5, 4.5], [10, 4.25]]);
  t.deepEqual(b!.map((e) => [e.step, e.session_log_status, e.values?.['pretrain/loss']]), [[0, undefined, undefined], [5, 1, undefined], [10, undefined, 4]]);
  t.true(Math.abs(a![1]!.wall_time - Date.now() / 1000) < 60);
  // metrics.jsonl got the same lines.
  t.is((await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n').length, 3);
});

test('metrics.csv: a header of every key, one row per step, RFC 4180 quoting', async (t) => {
  t.is(
    metricsCsv([{ step: 2, loss: 1.5, epoch: 0 }, { step: 1, epoch: 0, loss: 2, 'odd,key': 3 }, { step: 2, epoch: 0, loss: 1.25, lr: Number.NaN }]),
    'step,epoch,loss,"odd,key",lr\r\n1,0,2,3,\r\n2,0,1.25,,\r\n',
  );
  const dir = await runWithMetrics();
  const path = await writeMetricsCsv(dir);
  t.is(await readFile(path, 'utf8'), 'step,epoch,lr,loss,z_std,time\r\n10,0,0.1,5.5,0.03,1.5\r\n20,1,0.05,5.125,0.041,2.5\r\n');
});

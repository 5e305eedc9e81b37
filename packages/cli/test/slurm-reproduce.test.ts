// `sempair reproduce --executor slurm` on the local single-node cluster (scripts/slurm-local.sh,
// started by .ci/run), training for real: two tiny runs as one job array; one task is killed
// with SIGKILL mid-run, submitted again and resumed from its checkpoint; the grid finishes with
// every run evaluated, and running the command again submits nothing.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { BIN, sandbox, sempair } from './helpers/cli.js';
import { slurmCluster, taskPids } from './helpers/slurm.js';

const cluster = await slurmCluster();
const box = await sandbox();

const experimentFile = join(box.dir, 'slurm-tiny.experiment.json');
await writeFile(
  experimentFile,
  JSON.stringify({
    id: 'slurm-tiny',
    description: 'tiny SP vs AP on Slurm',
    base: {
      method: 'simclr',
      methodOptions: { projHiddenDim: 32, projOutputDim: 16 },
      dataset: 'synthetic',
      datasetOptions: { perClass: 8, size: 16 },
      backbone: 'resnet18',
      backboneOptions: { width: 4, cifarStem: true },
      augmentation: { size: 16 },
      batchSize: 16,
      epochs: 8,
      backend: 'wasm',
    },
    grid: { pairs: [{ label: 'SP', pairs: 'semantic-labels' }, { label: 'AP', pairs: 'augmented' }] },
    evaluations: [{ evaluator: 'knn', options: { k: 3, datasetOptions: 'perClass=4,size=16' } }],
  }),
);
const runs = join(box.dir, 'runs');
const args = [experimentFile, '--runs-dir', runs, '--executor', 'slurm', '--slurm', 'pollSeconds=1,cpus=1,memory=1G,time=10:00'];

(cluster.ok ? test.serial : test.serial.skip)(`reproduce --executor slurm: a task killed mid-run is re-submitted and resumes; the grid finishes${cluster.ok ? '' : `: ${cluster.reason}`}`, async (t) => {
  const started = Date.now();
  const lines: Array<Record<string, unknown>> = [];
  let killed: { run: string; task: string; step: number } | undefined;
  const child = spawn(process.execPath, [BIN, 'reproduce', ...args, '--json'], { cwd: box.dir, env: { ...process.env, ...box.env, NODE_ENV: undefined, CI: 'true' } });
  let stderr = '';
  let pending = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => {
    pending += d;
    const complete = pending.split('\n');
    pending = complete.pop()!;
    for (const text of complete.filter((l) => l.trim())) {
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      const event = line.event as { step?: number } | undefined;
      // Past the second epoch's checkpoint (5 steps an epoch): kill that task as an OOM killer would.
      if (!killed && line.type === 'slurm' && line.kind === 'progress' && (event?.step ?? 0) >= 12) {
        killed = { run: line.run as string, task: line.task as string, step: event!.step! };
        void taskPids(killed.task).then((pids) => pids.forEach((pid) => process.kill(pid, 'SIGKILL')));
      }
    }
  });
  const code = await new Promise<number>((done) => child.on('close', (c) => done(c ?? 1)));
  const seconds = (Date.now() - started) / 1000;
  t.log(`2 runs on the local cluster, one killed at step ${killed?.step}: ${seconds.toFixed(1)} s`);
  t.is(code, 0, stderr);
  t.truthy(killed, 'a task was killed mid-run');
  const dir = join(runs, 'slurm-tiny');
  const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as { complete: boolean; runs: Array<{ id: string; status: string; steps: number; evaluations: Record<string, { metrics: { top1: number } }> }> };
  t.true(results.complete);
  t.is(results.runs.length, 2);
  for (const run of results.runs) {
    t.is(run.status, 'completed', run.id);
    t.is(run.steps, 40);
    t.is(typeof run.evaluations.knn?.metrics.top1, 'number');
  }
  const resubmit = lines.find((l) => l.type === 'slurm' && l.kind === 'resubmit' && l.run === killed!.run) as { why: string } | undefined;
  t.regex(resubmit?.why ?? '', /^it was killed by signal 9 \(SIGKILL\) at step \d+$/);
  const log = JSON.parse(await readFile(join(dir, 'slurm', 'jobs.json'), 'utf8')) as { submissions: Array<{ runs: string[] }> };
  t.deepEqual(log.submissions.map((s) => s.runs.length), [2, 1]);
  t.deepEqual(log.submissions[1]!.runs, [killed!.run], 'only the killed run went again');
  // The second task resumed from a checkpoint: its first progress is past step 1.
  const second = lines.filter((l) => l.type === 'slurm' && l.kind === 'progress' && l.run === killed!.run && l.task !== killed!.task);
  t.true(second.length > 0 && ((second[0]!.event as { step: number }).step > 5), 'resumed, not restarted');
  t.true(existsSync(join(dir, killed!.run, 'tensorboard')));

  // Again: everything is finished, nothing is submitted.
  const again = await sempair(['reproduce', ...args, '--json'], { cwd: box.dir, env: box.env, timeoutMs: 120_000 });
  t.is(again.code, 0, again.stderr);
  t.is((JSON.parse(await readFile(join(dir, 'slurm', 'jobs.json'), 'utf8')) as { submissions: unknown[] }).submissions.length, 2);
  t.is((await readdir(join(dir, 'slurm'))).filter((f) => f.startsWith('submit-')).length, 2);
});

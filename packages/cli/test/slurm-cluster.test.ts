// The Slurm executor against a real scheduler: the single-node cluster of
// scripts/slurm-local.sh (.ci/run starts it). A job array of three runs, one task killed with
// SIGKILL mid-run: it is submitted again and resumes, the others' results are untouched and
// nothing is run twice. The runs are scripted (fixtures/slurm/scripted-run.mjs) so the
// scheduler, not training, is what takes the time; the CLI test trains for real.
import { readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { RUN_ID } from '../src/slurm/batch-script.js';
import { slurmScheduler } from '../src/slurm/scheduler.js';
import { runOnSlurm, type SlurmUpdate } from '../src/slurm/slurm-executor.js';
import { parseSlurmSettings } from '../src/slurm/slurm-settings.js';
import { readSubmissions } from '../src/slurm/submissions.js';
import { slurmCluster, taskPids } from './helpers/slurm.js';

const here = dirname(fileURLToPath(import.meta.url));
const SCRIPTED_RUN = join(here, 'fixtures', 'slurm', 'scripted-run.mjs');
const cluster = await slurmCluster();

(cluster.ok ? test : test.skip)(`a job array on a real Slurm: a task killed mid-run is submitted again and resumes${cluster.ok ? '' : `: ${cluster.reason}`}`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sempair-slurm-cluster-'));
  const runs = ['sp', 'ap', 'sp-seed1'].map((id) => ({ id, label: id, runDir: join(dir, id), evaluations: [{ name: 'knn' }] }));
  const settings = parseSlurmSettings({ cpus: 1, memory: '200M', time: '5:00', pollSeconds: 1, resubmits: 2 }, 'test');
  const updates: Array<[string, SlurmUpdate]> = [];
  let killed: string | undefined;
  const started = Date.now();
  const results = await runOnSlurm({
    experiment: { id: 'cluster-test', dir },
    runs,
    settings,
    scheduler: slurmScheduler(),
    command: [process.execPath, SCRIPTED_RUN, dir, RUN_ID, '12', '250'],
    signal: new AbortController().signal,
    onUpdate: (id, update) => {
      updates.push([id, update]);
      // Kill `ap`'s task with SIGKILL (as an OOM killer would) once it is a few steps in.
      if (!killed && id === 'ap' && update.type === 'progress' && update.event.step >= 3) {
        killed = update.task;
        void taskPids(update.task).then((pids) => pids.forEach((pid) => process.kill(pid, 'SIGKILL')));
      }
    },
  });
  const seconds = (Date.now() - started) / 1000;
  t.log(`grid of 3 finished in ${seconds.toFixed(1)} s on the local cluster`);
  t.truthy(killed, 'the ap task was killed mid-run');
  t.deepEqual(results.map((r) => [r.id, r.outcome]), [['sp', 'finished'], ['ap', 'finished'], ['sp-seed1', 'finished']]);
  const ap = results[1]!;
  t.is(ap.tasks.length, 2, 'ap ran in two tasks');
  t.is(ap.tasks[0], killed);
  const why = updates.find(([id, u]) => id === 'ap' && u.type === 'resubmit')?.[1] as Extract<SlurmUpdate, { type: 'resubmit' }>;
  t.regex(why.why, /^it was killed by signal 9 \(SIGKILL\) at step \d+$/);
  // The killed run resumed: its second task continued from the step it had reached.
  const status = JSON.parse(await readFile(join(dir, 'ap', 'status.json'), 'utf8')) as { state: string; step: number; attempts: number };
  t.like(status, { state: 'completed', step: 12, attempts: 2 });
  const resumedAt = updates.filter(([id, u]) => id === 'ap' && u.type === 'progress' && u.task === ap.tasks[1]).map(([, u]) => (u as { event: { step: number } }).event.step);
  t.true(resumedAt.length > 0 && resumedAt[0]! > 3, `the second task started at step ${resumedAt[0]}, not from scratch`);
  // The others ran once, untouched by the re-submission.
  for (const id of ['sp', 'sp-seed1']) {
    const s = JSON.parse(await readFile(join(dir, id, 'status.json'), 'utf8')) as { state: string; attempts: number };
    t.like(s, { state: 'completed', attempts: 1 });
  }
  const log = await readSubmissions(dir);
  t.deepEqual(log.submissions.map((s) => s.runs), [['sp', 'ap', 'sp-seed1'], ['ap']]);
});

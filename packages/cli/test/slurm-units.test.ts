// The Slurm executor's parts without a cluster: settings → sbatch options, the parsers of
// squeue/sacct/scontrol output (captured from Slurm 22.05), which ends are re-submitted, the
// batch script (run by bash), and runOnSlurm against a scripted scheduler: re-submission of
// infrastructure failures only, its limit, following tasks of an earlier invocation, detaching; a random-init baseline as one more task.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { batchScript, RUN_ID } from '../src/slurm/batch-script.js';
import { parseSacct, parseSbatch, parseScontrol, parseSqueue, slurmScheduler, type Scheduler } from '../src/slurm/scheduler.js';
import { runOnSlurm, type SlurmRun, type SlurmUpdate } from '../src/slurm/slurm-executor.js';
import { parseSlurmSettings, resourceOptions } from '../src/slurm/slurm-settings.js';
import { readSubmissions, writeSubmissions } from '../src/slurm/submissions.js';
import { judgeEnd, type TaskRecord } from '../src/slurm/task-state.js';

const run = promisify(execFile);

test('settings: defaults, flags over the file, sbatch options', (t) => {
  const s = parseSlurmSettings({ partition: 'gpu', gpus: 2, cpus: 8, memory: '32g', time: '12:00:00', extraArgs: ['--qos=high'] }, 'config file x', { account: 'lab', cpus: '4' });
  t.like(s, { partition: 'gpu', account: 'lab', gpus: 2, cpus: 4, memory: '32G', resubmits: 2, pollSeconds: 15 });
  t.deepEqual(resourceOptions(s), ['--partition=gpu', '--account=lab', '--gres=gpu:2', '--cpus-per-task=4', '--mem=32G', '--time=12:00:00', '--signal=B:INT@120', '--qos=high']);
  t.deepEqual(resourceOptions(parseSlurmSettings(undefined, 'x')), []);
  const unknown = t.throws(() => parseSlurmSettings({ gpu: 1 }, 'config file x'), { message: 'config file x: unknown key slurm.gpu' }) as unknown as { fix: string };
  t.regex(unknown.fix, /^use one of: partition, account, gpus,/);
  t.throws(() => parseSlurmSettings({ memory: 'lots' }, 'x'), { message: /slurm\.memory 'lots' is not a Slurm memory size/ });
  t.throws(() => parseSlurmSettings({ time: '12h' }, 'x'), { message: /slurm\.time '12h' is not a Slurm time limit/ });
  t.throws(() => parseSlurmSettings({ resubmits: -1 }, 'x'), { message: /slurm\.resubmits must be a whole number of at least 0/ });
  t.throws(() => parseSlurmSettings('gpu', 'x'), { message: /slurm must be a map of settings/ });
});

test('parsers read what Slurm prints', (t) => {
  t.deepEqual(parseSqueue('7|0|RUNNING|None|node01\n7|1|PENDING|Resources|\n\n'), [
    { task: '7_0', state: 'RUNNING', reason: undefined, node: 'node01' },
    { task: '7_1', state: 'PENDING', reason: 'Resources', node: undefined },
  ]);
  t.deepEqual(parseSacct('12_0|COMPLETED|0:0|node01|None\n12_1|CANCELLED by 0|0:15|node02|None\n12_[2-3]|PENDING|0:0|None assigned|Priority\n'), [
    { task: '12_0', state: 'COMPLETED', exitCode: '0:0', node: 'node01', reason: undefined },
    { task: '12_1', state: 'CANCELLED', exitCode: '0:15', node: 'node02', reason: undefined },
  ]);
  const scontrol =
    'JobId=5 ArrayJobId=4 ArrayTaskId=0 JobName=job2.sh UserId=root(0) JobState=FAILED Reason=JobLaunchFailure Dependency=(null) ExitCode=0:9 RunTime=00:00:05 NodeList=vm BatchHost=vm\n' +
    'JobId=4 ArrayJobId=4 ArrayTaskId=1 JobName=job2.sh UserId=root(0) JobState=COMPLETED Reason=None ExitCode=0:0 NodeList=vm\n' +
    'JobId=9 ArrayJobId=9 ArrayTaskId=2-5 JobState=PENDING Reason=Resources ExitCode=0:0 NodeList=(null)\n';
  t.deepEqual(parseScontrol(scontrol), [
    { task: '4_0', state: 'FAILED', exitCode: '0:9', reason: 'JobLaunchFailure', node: 'vm' },
    { task: '4_1', state: 'COMPLETED', exitCode: '0:0', reason: undefined, node: 'vm' },
  ]);
  t.is(parseSbatch('1234\n'), '1234');
  t.is(parseSbatch('1234;cluster\n'), '1234');
  t.is(parseSbatch('Submitted batch job 5'), undefined);
});

test('the scheduler falls back from sacct to scontrol once accounting is disabled, and names a refused sbatch', async (t) => {
  const calls: string[] = [];
  const scheduler = slurmScheduler(async (command, args) => {
    calls.push(command);
    if (command === 'squeue') return { code: 0, stdout: '4|1|RUNNING|None|vm\n', stderr: '' };
    if (command === 'sacct') return { code: 1, stdout: '', stderr: 'Slurm accounting storage is disabled\n' };
    if (command === 'scontrol') return { code: 0, stdout: 'JobId=5 ArrayJobId=4 ArrayTaskId=0 JobState=FAILED ExitCode=0:9 NodeList=vm\nJobId=4 ArrayJobId=4 ArrayTaskId=1 JobState=RUNNING ExitCode=0:0\n', stderr: '' };
    if (command === 'sbatch') return { code: 1, stdout: '', stderr: `sbatch: error: invalid partition specified: ${args.find((a) => a.startsWith('--partition'))?.split('=')[1]}\n` };
    throw new Error(command);
  });
  const records = await scheduler.tasks(['4']);
  t.deepEqual(records.map((r) => [r.task, r.state]).sort(), [['4_0', 'FAILED'], ['4_1', 'RUNNING']], 'squeue wins for live tasks');
  t.is(scheduler.accounting, 'scontrol');
  await scheduler.tasks(['4']);
  t.deepEqual(calls, ['squeue', 'sacct', 'scontrol', 'squeue', 'scontrol'], 'sacct is not asked again');
  await t.throwsAsync(scheduler.submit('/x/submit-1.sh', ['--partition=gpu']), { message: 'sbatch refused the job: sbatch: error: invalid partition specified: gpu' });
});

test('which ends are submitted again', (t) => {
  const rec = (state: string, exitCode = '0:0'): TaskRecord => ({ task: '1_0', state, exitCode });
  const running = { finished: false, state: 'running', step: 7 };
  t.deepEqual(judgeEnd(rec('NODE_FAIL'), running), { kind: 'resubmit', why: 'its node failed at step 7' });
  t.is(judgeEnd(rec('PREEMPTED'), running).kind, 'resubmit');
  t.is(judgeEnd(rec('TIMEOUT'), running).kind, 'resubmit');
  t.is(judgeEnd(rec('BOOT_FAIL'), { finished: false }).kind, 'resubmit');
  t.deepEqual(judgeEnd(rec('FAILED', '0:9'), running), { kind: 'resubmit', why: 'it was killed by signal 9 (SIGKILL) at step 7' });
  t.is(judgeEnd(rec('FAILED', '130:0'), { finished: false, state: 'aborted', step: 3 }).kind, 'resubmit', 'stopped by the time-limit warning');
  t.is(judgeEnd(undefined, running).kind, 'resubmit');
  t.like(judgeEnd(rec('FAILED', '1:0'), { finished: false, state: 'failed', message: 'bad option' }), { kind: 'failed', why: 'its process exited with code 1: bad option' });
  t.like(judgeEnd(rec('OUT_OF_MEMORY', '0:125'), running), { kind: 'failed' });
  t.like(judgeEnd(rec('CANCELLED', '0:15'), running), { kind: 'failed', why: 'it was cancelled at step 7 (scancel)' });
  t.like(judgeEnd(rec('COMPLETED'), { finished: false, state: 'stopped-nan', message: 'loss is NaN at step 4' }), { kind: 'failed', why: 'loss is NaN at step 4' });
  t.deepEqual(judgeEnd(rec('NODE_FAIL'), { finished: true, state: 'completed' }), { kind: 'finished' }, 'the run directory has the last word');
});

test('the batch script maps the array task to its run and hands over to the command', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sempair-slurm-script-'));
  const script = batchScript({ runs: ['simclr-sp-1a2b', "it's"], command: ['printf', '%s|', 'a b', RUN_ID], setup: ['export GREETING=hi'], options: ['--array=0-1', '--mem=1G'] });
  t.regex(script, /^#!\/bin\/bash\n/);
  t.regex(script, /# Submitted as: sbatch --array=0-1 --mem=1G <this file>/);
  const file = join(dir, 'submit-1.sh');
  await writeFile(file, script);
  const env = { ...process.env, SLURM_ARRAY_JOB_ID: '3', SLURM_ARRAY_TASK_ID: '1' };
  const { stdout, stderr } = await run('bash', [file], { env });
  t.is(stdout, "a b|it's|");
  t.regex(stderr, /sempair: run it's, array task 3_1/);
  t.throws(() => batchScript({ runs: ['a'], command: ['true'], setup: [], options: [] }));
});

// ---- runOnSlurm against a scripted scheduler ----

interface Behaviour {
  /** Polls the task stays RUNNING. */
  polls: number;
  end: { state: string; exitCode?: string };
  /** Writes a completed run with its evaluation before ending. */
  finishes: boolean;
}

async function writeRun(runDir: string, state: string, step: number, evaluate: boolean, baseline = false): Promise<void> {
  await mkdir(join(runDir, 'eval'), { recursive: true });
  // A baseline trains nothing: its random-init result is all a task writes.
  if (baseline) {
    if (evaluate) await writeFile(join(runDir, 'eval', 'knn-random.json'), JSON.stringify({ randomInit: true, metrics: { top1: 10 } }));
    return;
  }
  const now = new Date().toISOString();
  await writeFile(join(runDir, 'status.json'), JSON.stringify({ state, epoch: 0, step, totalSteps: 10, checkpoint: null, backend: 'wasm', startedAt: now, updatedAt: now }));
  if (evaluate) await writeFile(join(runDir, 'eval', 'knn.json'), JSON.stringify({ metrics: { top1: 50 } }));
}

/** A scheduler whose tasks follow `behave(runId, attempt)`, one state per poll, writing output as a task would. */
function scriptedScheduler(dir: string, runs: SlurmRun[], behave: (id: string, attempt: number) => Behaviour) {
  let nextJob = 100;
  const tasks = new Map<string, { run: SlurmRun; behaviour: Behaviour; polls: number; record?: TaskRecord }>();
  const attempts = new Map<string, number>();
  const submitted: string[][] = [];
  const scheduler: Scheduler = {
    async submit(scriptPath) {
      const text = await readFile(scriptPath, 'utf8');
      const ids = /runs=\((.*)\)/.exec(text)![1]!.split(' ');
      submitted.push(ids);
      const job = String(nextJob++);
      ids.forEach((id, i) => {
        const attempt = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, attempt);
        tasks.set(`${job}_${i}`, { run: runs.find((r) => r.id === id)!, behaviour: behave(id, attempt), polls: 0 });
      });
      return job;
    },
    async tasks(jobIds) {
      const out: TaskRecord[] = [];
      for (const [task, s] of tasks) {
        if (!jobIds.includes(task.split('_')[0]!)) continue;
        if (!s.record) {
          s.polls++;
          await writeFile(join(dir, 'slurm', `${task}.out`), `${JSON.stringify({ type: 'progress', task: `pretrain:${s.run.id}`, phase: 'pretrain', step: s.polls, steps: 10 })}\n`, { flag: 'a' });
          if (s.polls > s.behaviour.polls) {
            s.record = { task, ...s.behaviour.end };
            if (s.behaviour.finishes) await writeRun(s.run.runDir, 'completed', 10, true, s.run.baseline !== undefined);
            else {
              await writeRun(s.run.runDir, s.behaviour.end.exitCode === '1:0' ? 'failed' : 'running', s.polls, false, s.run.baseline !== undefined);
              if (s.behaviour.end.exitCode === '1:0') await writeFile(join(dir, 'slurm', `${task}.err`), 'sempair: run x\nError: dataset not found: /data/stl10 — pass --data stl10=<path>\n');
            }
          }
        }
        out.push(s.record ?? { task, state: s.polls === 1 ? 'PENDING' : 'RUNNING', reason: s.polls === 1 ? 'Resources' : undefined, node: 'n1' });
      }
      return out;
    },
  };
  return { scheduler, submitted };
}

async function grid(ids: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'sempair-slurm-exec-'));
  const runs = ids.map((id) => ({ id, label: id.toUpperCase(), runDir: join(dir, id), evaluations: [{ name: 'knn' }] }));
  return { dir, runs };
}

const immediately = async (): Promise<void> => {};
const settings = (resubmits = 2) => parseSlurmSettings({ resubmits, pollSeconds: 1 }, 'test');

test('a task killed by the machine is submitted again, alone; a finished run is left alone', async (t) => {
  const { dir, runs } = await grid(['sp', 'ap']);
  const ok: Behaviour = { polls: 2, end: { state: 'COMPLETED', exitCode: '0:0' }, finishes: true };
  const { scheduler, submitted } = scriptedScheduler(dir, runs, (id, attempt) => (id === 'ap' && attempt === 1 ? { polls: 1, end: { state: 'NODE_FAIL', exitCode: '0:0' }, finishes: false } : ok));
  const updates: Array<[string, SlurmUpdate]> = [];
  const results = await runOnSlurm({ experiment: { id: 'x', dir }, runs, settings: settings(), scheduler, command: ['sempair', '--run', RUN_ID], signal: new AbortController().signal, sleep: immediately, onUpdate: (id, u) => updates.push([id, u]) });
  t.deepEqual(results.map((r) => [r.id, r.outcome, r.tasks]), [['sp', 'finished', ['100_0']], ['ap', 'finished', ['100_1', '101_0']]]);
  t.deepEqual(submitted, [['sp', 'ap'], ['ap']]);
  t.true(updates.some(([id, u]) => id === 'ap' && u.type === 'resubmit' && u.why === 'its node failed at step 2'));
  t.true(updates.some(([id, u]) => id === 'sp' && u.type === 'state' && u.state === 'PENDING' && u.reason === 'Resources'));
  t.true(updates.some(([id, u]) => id === 'sp' && u.type === 'progress' && u.event.step === 2 && u.event.steps === 10));
  const log = await readSubmissions(dir);
  t.deepEqual(log.submissions.map((s) => [s.jobId, s.runs]), [['100', ['sp', 'ap']], ['101', ['ap']]]);
  t.regex(await readFile(log.submissions[1]!.script, 'utf8'), /--array=0-0/);
});

test('a random-init baseline is an array task like a run: finished once its random-init results are written', async (t) => {
  const { dir, runs } = await grid(['sp']);
  const baseline: SlurmRun = { id: 'random-init-resnet18-s0-0badc0de', label: 'random init', runDir: join(dir, 'random-init-resnet18-s0-0badc0de'), evaluations: [{ name: 'knn' }], baseline: { kind: 'random-init', runs: ['sp'], architecture: '' } };
  const all = [...runs, baseline];
  const ok: Behaviour = { polls: 1, end: { state: 'COMPLETED', exitCode: '0:0' }, finishes: true };
  const { scheduler, submitted } = scriptedScheduler(dir, all, (id, attempt) => (id === baseline.id && attempt === 1 ? { polls: 1, end: { state: 'PREEMPTED', exitCode: '0:0' }, finishes: false } : ok));
  const results = await runOnSlurm({ experiment: { id: 'x', dir }, runs: all, settings: settings(), scheduler, command: ['sempair', '--run', RUN_ID], signal: new AbortController().signal, sleep: immediately });
  t.deepEqual(results.map((r) => [r.id, r.outcome]), [['sp', 'finished'], [baseline.id, 'finished']]);
  t.deepEqual(submitted, [['sp', baseline.id], [baseline.id]], 'preempted before writing its result: submitted again');
  t.true(existsSync(join(baseline.runDir, 'eval', 'knn-random.json')));
  t.false(existsSync(join(baseline.runDir, 'status.json')));
});

test("a run's own failure is not submitted again and says why; the limit stops endless retries", async (t) => {
  const { dir, runs } = await grid(['bad', 'flaky', 'cancelled']);
  const { scheduler, submitted } = scriptedScheduler(dir, runs, (id) =>
    id === 'bad'
      ? { polls: 1, end: { state: 'FAILED', exitCode: '1:0' }, finishes: false }
      : id === 'flaky'
        ? { polls: 1, end: { state: 'FAILED', exitCode: '0:9' }, finishes: false }
        : { polls: 1, end: { state: 'CANCELLED', exitCode: '0:15' }, finishes: false },
  );
  const results = await runOnSlurm({ experiment: { id: 'x', dir }, runs, settings: settings(1), scheduler, command: ['sempair', RUN_ID], signal: new AbortController().signal, sleep: immediately });
  const [bad, flaky, cancelled] = results;
  t.like(bad, { outcome: 'failed', tasks: ['100_0'], why: 'task 100_0: its process exited with code 1 — dataset not found: /data/stl10 — pass --data stl10=<path>' });
  t.like(flaky, { outcome: 'failed', tasks: ['100_1', '101_0'], why: 'task 101_0: it was killed by signal 9 (SIGKILL) at step 2; gave up after 2 tasks (slurm.resubmits is 1)' });
  t.like(cancelled, { outcome: 'failed', tasks: ['100_2'], why: 'task 100_2: it was cancelled at step 2 (scancel)' });
  t.deepEqual(submitted, [['bad', 'flaky', 'cancelled'], ['flaky']]);
});

test('a task of an earlier invocation still on the cluster is followed, not submitted twice; aborting detaches', async (t) => {
  const { dir, runs } = await grid(['sp', 'ap']);
  const { scheduler, submitted } = scriptedScheduler(dir, runs, () => ({ polls: 3, end: { state: 'COMPLETED', exitCode: '0:0' }, finishes: true }));
  // An earlier invocation submitted sp (job 100) and went away.
  await mkdir(join(dir, 'slurm'), { recursive: true });
  const first = join(dir, 'slurm', 'submit-1.sh');
  await writeFile(first, 'runs=(sp)\n');
  await scheduler.submit(first, []);
  await writeSubmissions(dir, { format: 'sempair-slurm-jobs', version: 1, submissions: [{ jobId: '100', runs: ['sp'], script: first, submittedAt: '' }] });
  const controller = new AbortController();
  let polls = 0;
  const updates: SlurmUpdate[] = [];
  const results = await runOnSlurm({
    experiment: { id: 'x', dir },
    runs,
    settings: settings(),
    scheduler,
    command: ['sempair', RUN_ID],
    signal: controller.signal,
    onUpdate: (id, u) => id === 'sp' && updates.push(u),
    sleep: async () => {
      if (++polls === 2) controller.abort();
    },
  });
  t.deepEqual(submitted, [['sp'], ['ap']], 'only ap is submitted by the second invocation');
  t.like(updates[0], { type: 'submitted', task: '100_0', reattached: true });
  t.deepEqual(results.map((r) => r.outcome), ['detached', 'detached']);
  t.regex(results[1]!.why!, /^still on the cluster as task 101_0: run the same command again to follow it \(or scancel 101\)$/);
  t.false(existsSync(join(dir, 'sp', 'status.json')) && JSON.parse(await readFile(join(dir, 'sp', 'status.json'), 'utf8')).state === 'completed');
});

import { join } from 'node:path';
import { Args, Flags } from '@oclif/core';
import {
  A100_COST,
  buildResultTables,
  CPU_COST,
  estimateCost,
  experimentPresets,
  expandExperiment,
  expandPreset,
  presetComparisons,
  presetWithMethods,
  readRunRecords,
  readRunStatus,
  SCALES,
  studyPresets,
  UserError,
  writeJsonAtomic,
  type ExpandedExperiment,
  type Registry,
} from '@sempair/core';
import { SempairCommand } from '../base-command.js';
import { optionsFlag, parseOptionFlags } from '../config/flags.js';
import { summarizeMetrics } from '../eval/evaluations.js';
import { formatNumber } from '../progress/format.js';
import { runTaskGroups, type WorkGroup, type WorkTask } from '../progress/tasks.js';
import { childExecutor, cliEntry } from '../reproduce/child-runner.js';
import { compareAll, type RunOutcome } from '../reproduce/comparison.js';
import { experimentFlags, loadExperiment, type LoadedExperiment } from '../reproduce/experiment-flags.js';
import { chooseJobs, type JobsChoice } from '../reproduce/jobs.js';
import { readRunPlans, type RunPlan } from '../reproduce/plan.js';
import { runCommandLine } from '../reproduce/run-command.js';
import { RunSession, type Executor } from '../reproduce/run-session.js';
import { evalTask, executeRun, PRETRAIN_TASK, type RunWork } from '../reproduce/run-work.js';
import { formatResults } from '../results/format-results.js';
import { slurmScheduler } from '../slurm/scheduler.js';
import { reproduceOnSlurm } from '../slurm/slurm-reproduce.js';
import { parseSlurmSettings } from '../slurm/slurm-settings.js';
import { abortOnInterrupt } from '../signals.js';
import { renderTable } from '../tables.js';

export default class Reproduce extends SempairCommand<typeof Reproduce> {
  static override summary = "Run an experiment end to end — a preset reproducing one of the paper's results, or your own experiment file — and print its tables.";
  static override description = `An experiment is a grid (methods × pair sources × datasets × epochs × images per class × augmentation ablations × seeds) and the evaluations of every trained backbone. The presets table1 … table5, figure4 and figure5 each reproduce one result of the paper: --scale paper with its settings (real datasets via --data), --scale cpu with the same design on the embedded data in minutes; quick is the README's main job. Your own: a sempair.experiment.yaml (found from the current directory up), a path to one, or a name under experiments: in the config file.
With baselines: [random-init] (quick and the cpu forms built on its recipe have it), every evaluation also runs once on a randomly initialised backbone of each backbone configuration of the grid, nothing trained, shown as a "random init" row.
Every run has a stable id from its resolved config, so re-running the same command skips finished runs and evaluations and resumes unfinished ones: an interrupted experiment (Ctrl-C, a crash) continues where it stopped.
With --jobs n (the default on single-threaded backends such as wasm: one per core), n runs train at the same time, each in its own process; a run that fails or crashes is reported and the others go on. --run <id> trains one run and its evaluations in this process (what a cluster task runs; --dry-run prints each run's command).`;
  static override examples = [
    { description: 'SimCLR on semantic vs augmented pairs of the embedded data (minutes on a laptop)', command: '<%= config.bin %> <%= command.id %> quick' },
    { description: 'The presets there are, with their cost at each scale', command: '<%= config.bin %> <%= command.id %> --list' },
    { description: "Figure 4's design (four methods × SP/AP × three datasets) on a CPU", command: '<%= config.bin %> <%= command.id %> figure4 --scale cpu' },
    {
      description: 'Table 1 at the paper\'s settings',
      command: '<%= config.bin %> <%= command.id %> table1 --data imagenet=/data/imagenet/train,subset=subsets/paper-157,stl10=/data/stl10_binary',
    },
    { description: 'What would run, and the command of each run', command: '<%= config.bin %> <%= command.id %> table5 --scale cpu --dry-run' },
    { description: 'Your own experiment file', command: '<%= config.bin %> <%= command.id %> my-study.experiment.yaml' },
    { description: 'The same comparison for all four methods (SimCLR, BYOL, VICReg, DINO)', command: '<%= config.bin %> <%= command.id %> quick --methods all' },
  ];
  static override args = {
    experiment: Args.string({ description: 'A preset (see --list), a name under experiments: in the config file, or an experiment file.', required: false }),
  };
  static override flags = {
    ...experimentFlags,
    list: Flags.boolean({ char: 'l', description: 'List the presets with their estimated cost and exit.' }),
    jobs: Flags.integer({
      char: 'j',
      min: 1,
      helpValue: 'n',
      description:
        'Runs trained at the same time, each in its own process [default: one per core (at most one per run) when the backend computes on one thread (wasm, cpu), else 1]. With 1, runs train one after another in this process.',
    }),
    executor: Flags.option({
      options: ['local', 'slurm'] as const,
      default: 'local' as const,
      description: 'local: train here (--jobs at a time). slurm: submit the runs not finished yet as a Slurm job array (one task per run, resources from the config file\'s slurm: section and --slurm), follow it, re-submit tasks lost to the machine (node failure, preemption, time limit, a kill signal) and collect the results from the shared runs directory.',
    })(),
    slurm: optionsFlag('Slurm settings over the config file\'s slurm: section, e.g. partition=gpu,gpus=1,cpus=8,memory=32G,time=12:00:00,account=lab,resubmits=2.'),
    run: Flags.string({ description: 'Train and evaluate only this run of the experiment (its id, see --dry-run), in this process.', helpValue: 'id' }),
    'dry-run': Flags.boolean({ description: 'Show the expanded grid — what would be trained, resumed, skipped and evaluated — and the command of each run, and exit.' }),
  };

  async run(): Promise<void> {
    if (this.flags.list) {
      await this.listPresets(await this.registry());
      return;
    }
    const registry = await this.registry();
    const loaded = await loadExperiment(this.args.experiment, this.flags, registry, { allowMissingData: this.flags['dry-run'] });
    const experiment = onlyRun(loaded.experiment, this.flags.run);
    const plans = await readRunPlans(experiment);
    if (this.flags['dry-run']) {
      this.showPlan(experiment, plans);
      return;
    }
    if (this.flags.executor === 'slurm') {
      if (this.flags.run) throw new UserError('--run trains one run in this process; it does not go with --executor slurm', 'drop one of them');
      await this.onSlurm(registry, loaded, experiment);
      return;
    }

    const outcomes: RunOutcome[] = plans.map((p) => ({
      id: p.run.id,
      label: p.run.label,
      runDir: p.run.runDir,
      status: stateOf(p),
      steps: p.status?.step,
      finalLoss: p.status?.finalLoss,
      evaluations: Object.fromEntries(p.evaluations.filter((e) => e.done).map((e) => [e.plan.name, e.done!])),
      ...(p.run.baseline ? { baseline: p.run.baseline.kind } : {}),
    }));
    const works = plans.map(workOf);
    const todo = works.filter((w): w is RunWork => w !== undefined);
    const jobs = this.flags.run
      ? { jobs: 1, requested: 1, runs: todo.length, cores: 1, backend: null, reason: '--run: one run, in this process' }
      : await chooseJobs({ requested: this.flags.jobs, runs: todo.length, backend: todo[0]?.config.backend ?? 'auto' });
    this.emit({ type: 'jobs', ...jobs });
    if (jobs.jobs > 1) this.note(`Training ${jobs.jobs} runs at a time, each in its own process (${jobs.reason}).`);

    const interrupt = abortOnInterrupt(() => {
      if (this.jsonMode || this.quietMode) process.stderr.write('Stopping after the current step; saving a checkpoint…\n');
    });
    const debug = this.flags.debug;
    const execute: Executor =
      jobs.jobs > 1
        ? childExecutor({
            entry: cliEntry(this.config.root, this.config.pjson),
            taskDir: experiment.dir,
            debug,
            onSpawn: (work, pid) => this.emit({ type: 'process', run: work.id, pid }),
          })
        : (work, emit, signal) => executeRun(work, registry, signal, emit, { debug });
    const sessions = works.map((work, i) => work && new RunSession(work, outcomes[i]!, execute, interrupt.signal));
    const groups: WorkGroup[] = plans.map((p, i) => ({
      title: `${p.run.label} (${p.run.id})`,
      tasks: this.runTasks(p, outcomes[i]!, sessions[i], interrupt.signal),
    }));
    const started = Date.now();
    try {
      await runTaskGroups(groups, { mode: this.jsonMode ? 'json' : this.quietMode ? 'quiet' : 'human', emit: (v) => this.emit(v), concurrency: jobs.jobs });
      // Every process has ended before the results are written.
      await Promise.all(sessions.map((s) => s?.done()));
    } finally {
      interrupt.dispose();
    }
    for (const [i, o] of outcomes.entries()) {
      // A run whose process died mid-way: how far its last checkpoint got.
      if (o.status === 'failed' && o.steps === undefined) o.steps = (await readRunStatus(o.runDir).catch(() => null))?.step;
      // A baseline has nothing to train: it is complete when its evaluations are.
      if (o.baseline && plans[i]!.evaluations.every((e) => o.evaluations[e.plan.name])) o.status = 'completed';
    }
    await this.report(registry, loaded, experiment, outcomes, jobs, (Date.now() - started) / 1000);
  }

  /**
   * Pre-training (skipped when finished, resumed when started) then each evaluation of one run,
   * shown as tasks that follow the run's session (in this process or a child). After Ctrl-C,
   * runs not started yet show as skipped; the report says how to continue.
   */
  private runTasks(p: RunPlan, outcome: RunOutcome, session: RunSession | undefined, signal: AbortSignal): WorkTask[] {
    const name = `${p.run.label} (${p.run.id})`;
    const notStarted = (): boolean => signal.aborted && !session?.isStarted;
    // A baseline trains nothing: its evaluations are its tasks.
    const baseline = p.run.baseline !== undefined;
    const train: WorkTask = {
      id: `pretrain:${p.run.id}`,
      title: `pre-train ${name}`,
      skip: () =>
        notStarted() ? `pre-train ${name}: interrupted` : p.status?.state === 'completed' ? `pre-train ${name}: finished earlier` : undefined,
      run: async (progress, control) => {
        if (p.status?.state === 'stopped-nan') {
          outcome.error = 'stopped on a NaN loss earlier';
          throw new UserError(`run ${p.run.runDir} stopped on a NaN loss earlier`, 'delete it to train it again, or pass another --runs-dir');
        }
        if (!session) throw new Error(`nothing to run for ${p.run.label}`);
        if (p.status) control.say(`resuming from step ${p.status.step}`);
        const onAbort = (): void => control.say('stopping after this step, saving a checkpoint…');
        signal.addEventListener('abort', onAbort, { once: true });
        try {
          const end = await session.follow(PRETRAIN_TASK, progress, control);
          if (end.type !== 'pretrain') throw new Error(`unexpected ${end.type} event for pre-training`);
          const { result } = end;
          control.setTitle(`pre-train ${name} — ${result.status}, final loss ${formatNumber(result.finalLoss ?? NaN)}`);
          if (result.status === 'stopped-nan') throw new UserError(`run ${p.run.label} stopped: ${result.message ?? 'NaN loss'}`);
        } catch (error) {
          if (!(error instanceof UserError)) control.setTitle(`pre-train ${name} — failed: ${errorText(error)}`);
          throw error;
        } finally {
          signal.removeEventListener('abort', onAbort);
        }
      },
    };
    const evals = p.evaluations.map(({ plan, done }): WorkTask => {
      const title = `evaluate ${p.run.label}: ${plan.name}`;
      return {
        id: `eval:${p.run.id}:${plan.name}`,
        title,
        skip: () =>
          done
            ? `${title} — done earlier`
            : !baseline && outcome.status !== 'completed'
              ? `${title} — training ${outcome.status}`
              : outcome.error
                ? `${title} — not run: ${p.run.label} failed`
                : notStarted()
                  ? `${title} — interrupted`
                  : undefined,
        run: async (progress, control) => {
          try {
            if (!session) throw new Error(`nothing to run for ${p.run.label}`);
            const end = await session.follow(evalTask(plan.name), progress, control);
            if (end.type !== 'evaluation') throw new Error(`unexpected ${end.type} event for ${plan.name}`);
            control.setTitle(`${title} — ${summarizeMetrics(end.result.metrics)}`);
          } catch (error) {
            control.setTitle(`${title} — failed: ${errorText(error)}`);
            throw error;
          }
        },
      };
    });
    return baseline ? evals : [train, ...evals];
  }

  /**
   * --executor slurm: one array task per unfinished run, each running this CLI's --run command
   * on a node; then the tables from the run directories, as after a local run. Ctrl-C stops
   * following (the tasks go on; the same command follows them again).
   */
  private async onSlurm(registry: Registry, loaded: LoadedExperiment, experiment: ExpandedExperiment): Promise<void> {
    const settings = parseSlurmSettings(loaded.file.slurm, `config file ${loaded.file.path ?? ''}`.trim(), parseOptionFlags(this.flags.slurm, 'slurm') as Record<string, unknown> | undefined);
    const interrupt = abortOnInterrupt(() => process.stderr.write('Detaching: the tasks keep running on the cluster; run the same command again to follow them.\n'));
    const started = Date.now();
    let slurm;
    try {
      slurm = await reproduceOnSlurm(experiment, {
        settings,
        scheduler: slurmScheduler(),
        node: settings.node ?? process.execPath,
        entry: cliEntry(this.config.root, this.config.pjson),
        mode: this.jsonMode ? 'json' : this.quietMode ? 'quiet' : 'human',
        emit: (v) => this.emit(v),
        signal: interrupt.signal,
      });
    } finally {
      interrupt.dispose();
    }
    const why = new Map(slurm.results.map((r) => [r.id, r]));
    const records = await readRunRecords(experiment.runs);
    const outcomes: RunOutcome[] = records.map((r) => {
      const ended = why.get(r.run.id);
      const evaluations = Object.fromEntries(Object.entries(r.evaluations).map(([name, e]) => [name, { metrics: e.metrics, details: e.details }]));
      const complete = r.state === 'completed' && r.run.evaluations.every((e) => r.evaluations[e.name]);
      return {
        id: r.run.id,
        label: r.run.label,
        runDir: r.run.runDir,
        status: r.state === 'not run' ? 'new' : r.state,
        steps: r.step,
        finalLoss: r.finalLoss,
        evaluations,
        ...(r.run.baseline ? { baseline: r.run.baseline.kind } : {}),
        ...(ended && ended.outcome !== 'finished' ? { error: ended.why } : !complete ? { error: 'not evaluated' } : {}),
      };
    });
    const jobs: JobsChoice = { jobs: slurm.results.length, requested: null, runs: slurm.results.length, cores: 0, backend: null, reason: `Slurm: one array task per run (${slurm.skipped.length} finished earlier)` };
    await this.report(registry, loaded, experiment, outcomes, jobs, (Date.now() - started) / 1000);
  }

  private async report(registry: Registry, loaded: LoadedExperiment, experiment: ExpandedExperiment, outcomes: RunOutcome[], jobs: JobsChoice, seconds: number): Promise<void> {
    const unfinished = outcomes.filter((o) => o.status !== 'completed' || o.error !== undefined);
    const evaluations = experiment.runs[0]?.evaluations.map((e) => e.name) ?? [];
    // Presets of explicit runs keep results.json's label comparisons (within each method with --methods).
    const methods = experiment.invocation.methods;
    const preset = loaded.source.kind === 'preset' ? (methods?.length ? presetWithMethods(loaded.source.preset, methods, registry) : loaded.source.preset) : undefined;
    const comparisons = preset ? compareAll(outcomes, evaluations, presetComparisons(preset)) : [];
    const records = await readRunRecords(loaded.experiment.runs);
    const tables = buildResultTables(loaded.experiment, records);
    const resultsFile = join(experiment.dir, this.flags.run ? `results-${this.flags.run}.json` : 'results.json');
    const summary = summarize(outcomes);
    const results = {
      preset: { id: experiment.id, description: experiment.description },
      experiment: { id: experiment.id, scale: experiment.scale, dir: experiment.dir, invocation: experiment.invocation },
      finishedAt: new Date().toISOString(),
      seconds,
      complete: unfinished.length === 0,
      jobs,
      summary,
      runs: outcomes,
      comparison: comparisons[0] ?? null,
      comparisons,
      tables,
    };
    await writeJsonAtomic(resultsFile, results);
    this.emit({ type: 'result', ...results, resultsFile });
    this.print(`${experiment.id}: ${experiment.description}`);
    this.print(formatResults(tables, 'table', { experiment: experiment.id, description: experiment.description, scale: experiment.scale, dir: experiment.dir }));
    if (!this.quietMode) {
      this.print(`Runs: ${Object.entries(summary).map(([state, n]) => `${n} ${state}`).join(', ')} in ${formatSeconds(seconds)}. Results: ${resultsFile}`);
    }
    if (unfinished.length) {
      const why = (o: RunOutcome): string =>
        !o.error ? o.status : o.status === 'completed' ? `evaluation failed: ${o.error}` : `${o.status}: ${o.error}`;
      const stoppedNan = unfinished.filter((o) => o.status === 'stopped-nan');
      const message = [
        `Not finished: ${unfinished.map((o) => `${o.label} (${why(o)})`).join(', ')}.`,
        ...(stoppedNan.length < unfinished.length ? ['Run the same command again to continue.'] : []),
        ...(stoppedNan.length ? [`A run stopped on a NaN loss trains again once its directory is deleted: ${stoppedNan.map((o) => o.runDir).join(', ')}`] : []),
      ];
      process.stderr.write(`${message.join(' ')}\n`);
      process.exitCode = unfinished.some((o) => o.status === 'aborted') ? 130 : 1;
    }
  }

  private showPlan(experiment: ExpandedExperiment, plans: RunPlan[]): void {
    const runs = plans.map((p) => ({
      id: p.run.id,
      label: p.run.label,
      axes: p.run.axes,
      runDir: p.run.runDir,
      state: stateOf(p),
      action: actionOf(p),
      ...(p.run.baseline ? { baseline: p.run.baseline } : {}),
      config: p.run.config,
      evaluations: p.evaluations.map((e) => ({ name: e.plan.name, evaluator: e.plan.evaluator, options: e.plan.options, action: e.done ? 'reuse' : 'run' })),
      command: runCommandLine(experiment.invocation, p.run.id),
    }));
    this.emit({ type: 'plan', experiment: experiment.id, preset: experiment.id, scale: experiment.scale, dir: experiment.dir, missingData: experiment.missingData, runs });
    const scale = experiment.scale === 'custom' ? '' : ` (${experiment.scale} scale)`;
    this.print(`${experiment.id}${scale}: ${experiment.description} → ${experiment.dir}`);
    const axes = experiment.axes.map((a) => a.name);
    this.print(
      renderTable(
        ['run id', ...axes, 'state', 'pre-training', 'evaluations'],
        runs.map((r) => [r.id, ...axes.map((a) => r.axes[a] ?? '–'), r.state, r.action, r.evaluations.map((e) => `${e.name}: ${e.action}`).join(', ')]),
      ),
    );
    const todo = runs.filter((r) => (r.action !== 'skip (finished)' && r.action !== NOTHING_TO_TRAIN) || r.evaluations.some((e) => e.action === 'run'));
    if (todo.length) {
      this.print(`Commands (each trains one run and its evaluations; what a cluster task runs):`);
      for (const r of todo) this.print(`  ${r.command}`);
    }
    if (experiment.missingData.length) {
      this.print(`Needs --data ${experiment.missingData.map((k) => `${k}=<path>`).join(',')} before it can run.`);
    }
  }

  private async listPresets(registry: Registry): Promise<void> {
    const runsDir = './runs';
    const invocation = (experiment: string, scale?: string) => ({ experiment, ...(scale ? { scale } : {}), data: {}, runsDir });
    const rows: Array<{ id: string; result: string; description: string; cost: Record<string, string>; runs: string[]; evaluations: string[] }> = [];
    for (const preset of Object.values(experimentPresets)) {
      const expanded = expandPreset(preset, { registry, invocation: invocation(preset.id) });
      rows.push({
        id: preset.id,
        result: 'main job',
        description: preset.description,
        cost: { cpu: preset.estimate },
        runs: expanded.runs.map((r) => r.label),
        evaluations: preset.evaluations.map((e) => e.id),
      });
    }
    for (const study of Object.values(studyPresets)) {
      const cost: Record<string, string> = {};
      let runs: string[] = [];
      let evaluations: string[] = [];
      for (const scale of SCALES) {
        try {
          const expanded = expandExperiment(study.scales[scale], { registry, where: `preset ${study.id}`, invocation: invocation(study.id, scale), allowMissingData: true });
          cost[scale] = estimateCost(expanded, scale === 'cpu' ? CPU_COST : A100_COST).text;
          if (scale === 'cpu') {
            runs = expanded.runs.map((r) => r.label);
            evaluations = expanded.runs[0]?.evaluations.map((e) => e.name) ?? [];
          }
        } catch (error) {
          // The reason without the preset's name (the row says it) and without the fix (--list is a summary).
          cost[scale] = `unavailable: ${errorText(error).replace(/^preset [^:]*: /, '')}`;
        }
      }
      rows.push({ id: study.id, result: study.result, description: study.description, cost, runs, evaluations });
    }
    this.emit({ presets: rows });
    this.print(
      renderTable(
        ['preset', 'reproduces', 'design', 'cost --scale cpu', 'cost --scale paper'],
        rows.map((r) => [r.id, r.result, r.description, r.cost.cpu ?? '–', r.cost.paper ?? '–']),
      ),
    );
    this.print('Costs are rough estimates from the configs (not measurements); paper scale counts pre-training and the classification evaluations.');
  }
}

/** The experiment reduced to one run (--run), or as it is. */
function onlyRun(experiment: ExpandedExperiment, id: string | undefined): ExpandedExperiment {
  if (!id) return experiment;
  const run = experiment.runs.find((r) => r.id === id);
  if (!run) {
    const some = experiment.runs.slice(0, 4).map((r) => r.id).join(', ');
    throw new UserError(`${experiment.id} has no run '${id}'`, `use one of its ${experiment.runs.length} run ids (${some}${experiment.runs.length > 4 ? ', …' : ''}; sempair reproduce … --dry-run lists them)`);
  }
  return { ...experiment, runs: [run] };
}

/** What is left to do for a run; undefined when nothing (finished and evaluated) or nothing possible (stopped on NaN). */
function workOf(p: RunPlan): RunWork | undefined {
  if (p.status?.state === 'stopped-nan') return undefined;
  const pretrain = !p.run.baseline && p.status?.state !== 'completed';
  const evaluations = p.evaluations.filter((e) => !e.done).map((e) => e.plan);
  if (!pretrain && evaluations.length === 0) return undefined;
  return {
    id: p.run.id,
    label: p.run.label,
    runDir: p.run.runDir,
    config: p.run.config,
    pretrain,
    resume: p.status !== null,
    evaluations,
    ...(p.run.baseline ? { baseline: p.run.baseline } : {}),
  };
}

/** The pre-training action of a baseline in --dry-run. */
const NOTHING_TO_TRAIN = 'none (random init)';

/** Runs by how they ended this time. */
function summarize(outcomes: RunOutcome[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of outcomes) {
    const state = o.error && o.status === 'completed' ? 'evaluation failed' : o.status;
    out[state] = (out[state] ?? 0) + 1;
  }
  return out;
}

function formatSeconds(seconds: number): string {
  return seconds < 120 ? `${seconds.toFixed(0)} s` : `${(seconds / 60).toFixed(1)} min`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A run's state on disk; a baseline, which trains nothing, is completed once its evaluations are. */
function stateOf(p: RunPlan): string {
  if (p.run.baseline) return p.evaluations.every((e) => e.done) ? 'completed' : 'new';
  return p.status?.state ?? 'new';
}

function actionOf(p: RunPlan): string {
  if (p.run.baseline) return NOTHING_TO_TRAIN;
  if (!p.status) return 'train';
  if (p.status.state === 'completed') return 'skip (finished)';
  if (p.status.state === 'stopped-nan') return 'fail (stopped on NaN earlier)';
  return `resume from step ${p.status.step}`;
}

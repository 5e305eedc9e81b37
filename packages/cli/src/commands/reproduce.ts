import { join } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { experimentPresets, presetComparisons, presetWithMethods, readRunStatus, UserError, writeJsonAtomic, type ExperimentPreset } from '@sempair/core';
import { SempairCommand } from '../base-command.js';
import { backendFlag, configFlag, runsDirFlag } from '../config/flags.js';
import { loadConfigFile } from '../config/load-config.js';
import { summarizeMetrics } from '../eval/evaluations.js';
import { formatNumber } from '../progress/format.js';
import { runTaskGroups, type WorkGroup, type WorkTask } from '../progress/tasks.js';
import { childExecutor, cliEntry } from '../reproduce/child-runner.js';
import { compareAll, comparisonTable, type RunOutcome } from '../reproduce/comparison.js';
import { chooseJobs, type JobsChoice } from '../reproduce/jobs.js';
import { experimentDir, planExperiment, type PlannedRun } from '../reproduce/plan.js';
import { readPresetFile } from '../reproduce/preset-file.js';
import { RunSession, type Executor } from '../reproduce/run-session.js';
import { evalTask, executeRun, PRETRAIN_TASK, type RunWork } from '../reproduce/run-work.js';
import { abortOnInterrupt } from '../signals.js';
import { renderTable } from '../tables.js';

export default class Reproduce extends SempairCommand<typeof Reproduce> {
  static override summary = 'Run a preset experiment end to end and print its comparison table (semantic vs augmented pairs).';
  static override description = `Trains every run of the preset, evaluates each, prints the comparison table and writes results.json under the runs directory.
With --jobs n (the default on single-threaded backends such as wasm: one per core), n runs train at the same time, each in its own process; a run that fails or crashes is reported and the others go on.
Re-running the same command skips finished runs and evaluations and resumes unfinished runs, so an interrupted experiment (Ctrl-C, a crash) continues where it stopped.
The preset defines the runs: of a config file only runsDir and evaluators.<id> options apply.`;
  static override examples = [
    { description: 'SimCLR on semantic vs augmented pairs of the embedded data (minutes on a laptop)', command: '<%= config.bin %> <%= command.id %> quick' },
    { description: 'The presets there are', command: '<%= config.bin %> <%= command.id %> --list' },
    { description: 'A shorter smoke run in its own directory', command: '<%= config.bin %> <%= command.id %> quick --epochs 1 --runs-dir /tmp/runs' },
    { description: 'One run at a time, in this process', command: '<%= config.bin %> <%= command.id %> quick --jobs 1' },
    { description: 'The same comparison for all four methods (SimCLR, BYOL, VICReg, DINO)', command: '<%= config.bin %> <%= command.id %> quick --methods all' },
  ];
  static override args = {
    preset: Args.string({ description: 'Preset to run (see --list).', required: false }),
  };
  static override flags = {
    list: Flags.boolean({ char: 'l', description: 'List the presets and exit.' }),
    'runs-dir': runsDirFlag,
    backend: backendFlag,
    epochs: Flags.integer({ char: 'e', min: 1, description: "Override the preset's epochs for every run (results go to a separate directory)." }),
    config: configFlag,
    jobs: Flags.integer({
      char: 'j',
      min: 1,
      helpValue: 'n',
      description:
        'Runs trained at the same time, each in its own process [default: one per core (at most one per run) when the backend computes on one thread (wasm, cpu), else 1]. With 1, runs train one after another in this process.',
    }),
    methods: Flags.string({
      char: 'm',
      description: "Run the preset's comparison with these methods instead of its own (comma-separated, or all), each with its reference defaults.",
      multiple: true,
      delimiter: ',',
      helpValue: 'method',
    }),
    'dry-run': Flags.boolean({ description: 'Show what would be trained, resumed, skipped and evaluated, and exit.' }),
    'preset-file': Flags.string({ hidden: true, description: 'A preset as a JSON file (ExperimentPreset) instead of a named one.', helpValue: 'file' }),
  };

  async run(): Promise<void> {
    const presets = experimentPresets;
    const presetFile = this.flags['preset-file'];
    if (!presetFile && (this.flags.list || !this.args.preset)) {
      if (!this.flags.list) {
        throw new UserError('which preset?', `name one: sempair reproduce ${Object.keys(presets).join('|')} (see sempair reproduce --list)`);
      }
      this.listPresets(presets);
      return;
    }
    const named = presetFile ? await readPresetFile(presetFile) : presets[this.args.preset!];
    if (!named) {
      throw new UserError(`unknown preset '${this.args.preset}'`, `use one of: ${Object.keys(presets).join(', ')} (sempair reproduce --list)`);
    }
    const registry = await this.registry();
    const methods = this.flags.methods?.map((m) => m.trim()).filter(Boolean);
    const preset = methods?.length ? presetWithMethods(named, methods, registry) : named;
    const file = await loadConfigFile(this.flags.config);
    const overrides = { epochs: this.flags.epochs, backend: this.flags.backend };
    const dir = experimentDir(this.flags['runs-dir'] ?? file.runsDir ?? './runs', preset, overrides);
    const planned = await planExperiment(preset, registry, dir, overrides, file);
    if (this.flags['dry-run']) {
      this.showPlan(preset, dir, planned);
      return;
    }

    const outcomes: RunOutcome[] = planned.map((p) => ({
      id: p.run.id,
      label: p.run.label,
      runDir: p.runDir,
      status: p.status?.state ?? 'new',
      steps: p.status?.step,
      finalLoss: p.status?.finalLoss,
      evaluations: Object.fromEntries(p.evaluations.filter((e) => e.done).map((e) => [e.plan.evaluator, e.done!])),
    }));
    const works = planned.map(workOf);
    const todo = works.filter((w): w is RunWork => w !== undefined);
    const jobs = await chooseJobs({ requested: this.flags.jobs, runs: todo.length, backend: todo[0]?.config.backend ?? 'auto' });
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
            taskDir: dir,
            debug,
            onSpawn: (work, pid) => this.emit({ type: 'process', run: work.id, pid }),
          })
        : (work, emit, signal) => executeRun(work, registry, signal, emit, { debug });
    const sessions = works.map((work, i) => work && new RunSession(work, outcomes[i]!, execute, interrupt.signal));
    const groups: WorkGroup[] = planned.map((p, i) => ({
      title: `${p.run.label} (${p.run.id})`,
      tasks: this.runTasks(p, outcomes[i]!, sessions[i], interrupt.signal),
    }));
    try {
      await runTaskGroups(groups, { mode: this.jsonMode ? 'json' : this.quietMode ? 'quiet' : 'human', emit: (v) => this.emit(v), concurrency: jobs.jobs });
      // Every process has ended before the results are written.
      await Promise.all(sessions.map((s) => s?.done()));
    } finally {
      interrupt.dispose();
    }
    for (const o of outcomes) {
      // A run whose process died mid-way: how far its last checkpoint got.
      if (o.status === 'failed' && o.steps === undefined) o.steps = (await readRunStatus(o.runDir).catch(() => null))?.step;
    }
    await this.report(preset, dir, outcomes, jobs);
  }

  /**
   * Pre-training (skipped when finished, resumed when started) then each evaluation of one run,
   * shown as tasks that follow the run's session (in this process or a child). After Ctrl-C,
   * runs not started yet show as skipped; the report says how to continue.
   */
  private runTasks(p: PlannedRun, outcome: RunOutcome, session: RunSession | undefined, signal: AbortSignal): WorkTask[] {
    const name = `${p.run.label} (${p.run.id})`;
    const notStarted = (): boolean => signal.aborted && !session?.isStarted;
    const train: WorkTask = {
      id: `pretrain:${p.run.id}`,
      title: `pre-train ${name}`,
      skip: () =>
        notStarted() ? `pre-train ${name}: interrupted` : p.status?.state === 'completed' ? `pre-train ${name}: finished earlier` : undefined,
      run: async (progress, control) => {
        if (p.status?.state === 'stopped-nan') {
          outcome.error = 'stopped on a NaN loss earlier';
          throw new UserError(`run ${p.runDir} stopped on a NaN loss earlier`, 'delete it to train it again, or pass another --runs-dir');
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
      const title = `evaluate ${p.run.label}: ${plan.evaluator}`;
      return {
        id: `eval:${p.run.id}:${plan.evaluator}`,
        title,
        skip: () =>
          done
            ? `${title} — done earlier`
            : outcome.status !== 'completed'
              ? `${title} — training ${outcome.status}`
              : outcome.error
                ? `${title} — not run: ${p.run.label} failed`
                : notStarted()
                  ? `${title} — interrupted`
                  : undefined,
        run: async (progress, control) => {
          try {
            if (!session) throw new Error(`nothing to run for ${p.run.label}`);
            const end = await session.follow(evalTask(plan.evaluator), progress, control);
            if (end.type !== 'evaluation') throw new Error(`unexpected ${end.type} event for ${plan.evaluator}`);
            control.setTitle(`${title} — ${summarizeMetrics(end.result.metrics)}`);
          } catch (error) {
            control.setTitle(`${title} — failed: ${errorText(error)}`);
            throw error;
          }
        },
      };
    });
    return [train, ...evals];
  }

  private async report(preset: ExperimentPreset, dir: string, outcomes: RunOutcome[], jobs: JobsChoice): Promise<void> {
    const evaluations = preset.evaluations.map((e) => e.id);
    const unfinished = outcomes.filter((o) => o.status !== 'completed' || o.error !== undefined);
    const comparisons = compareAll(outcomes, evaluations, presetComparisons(preset));
    const resultsFile = join(dir, 'results.json');
    const results = {
      preset: { id: preset.id, description: preset.description },
      finishedAt: new Date().toISOString(),
      complete: unfinished.length === 0,
      jobs,
      runs: outcomes,
      comparison: comparisons[0] ?? null,
      comparisons,
    };
    await writeJsonAtomic(resultsFile, results);
    this.emit({ type: 'result', ...results, resultsFile });
    this.print(`${preset.id}: ${preset.description}`);
    this.print(comparisonTable(outcomes, evaluations, comparisons));
    if (!this.quietMode) this.print(`Results: ${resultsFile}`);
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

  private showPlan(preset: ExperimentPreset, dir: string, planned: PlannedRun[]): void {
    const runs = planned.map((p) => ({
      id: p.run.id,
      label: p.run.label,
      runDir: p.runDir,
      state: p.status?.state ?? 'new',
      action: actionOf(p),
      config: p.config,
      evaluations: p.evaluations.map((e) => ({ evaluator: e.plan.evaluator, options: e.plan.options, action: e.done ? 'reuse' : 'run' })),
    }));
    this.emit({ type: 'plan', preset: preset.id, dir, runs });
    this.print(`${preset.id}: ${preset.description} → ${dir}`);
    this.print(
      renderTable(
        ['run', 'directory', 'state', 'pre-training', 'evaluations'],
        runs.map((r) => [r.label, r.runDir, r.state, r.action, r.evaluations.map((e) => `${e.evaluator}: ${e.action}`).join(', ')]),
      ),
    );
  }

  private listPresets(presets: Record<string, ExperimentPreset>): void {
    const list = Object.values(presets);
    this.emit({
      presets: list.map((p) => ({ id: p.id, description: p.description, estimate: p.estimate, runs: p.runs.map((r) => r.label), evaluations: p.evaluations.map((e) => e.id) })),
    });
    this.print(
      renderTable(
        ['preset', 'description', 'runs', 'evaluations', 'cost'],
        list.map((p) => [p.id, p.description, p.runs.map((r) => r.label).join(', '), p.evaluations.map((e) => e.id).join(', '), p.estimate]),
      ),
    );
  }
}

/** What is left to do for a run; undefined when nothing (finished and evaluated) or nothing possible (stopped on NaN). */
function workOf(p: PlannedRun): RunWork | undefined {
  if (p.status?.state === 'stopped-nan') return undefined;
  const pretrain = p.status?.state !== 'completed';
  const evaluations = p.evaluations.filter((e) => !e.done).map((e) => e.plan);
  if (!pretrain && evaluations.length === 0) return undefined;
  return { id: p.run.id, label: p.run.label, runDir: p.runDir, config: p.config, pretrain, resume: p.status !== null, evaluations };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function actionOf(p: PlannedRun): string {
  if (!p.status) return 'train';
  if (p.status.state === 'completed') return 'skip (finished)';
  if (p.status.state === 'stopped-nan') return 'fail (stopped on NaN earlier)';
  return `resume from step ${p.status.step}`;
}

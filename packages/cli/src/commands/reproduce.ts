import { join } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { experimentPresets, prepareRun, pretrain, UserError, writeJsonAtomic, type ExperimentPreset, type Registry } from '@sempair/core';
import { SempairCommand } from '../base-command.js';
import { backendFlag, configFlag, runsDirFlag } from '../config/flags.js';
import { loadConfigFile } from '../config/load-config.js';
import { evaluationTask } from '../eval/evaluations.js';
import { formatNumber } from '../progress/format.js';
import { runTasks, type WorkTask } from '../progress/tasks.js';
import { compare, comparisonTable, type RunOutcome } from '../reproduce/comparison.js';
import { experimentDir, planExperiment, type PlannedRun } from '../reproduce/plan.js';
import { abortOnInterrupt } from '../signals.js';
import { renderTable } from '../tables.js';

export default class Reproduce extends SempairCommand<typeof Reproduce> {
  static override summary = 'Run a preset experiment end to end and print its comparison table (semantic vs augmented pairs).';
  static override description = `Trains every run of the preset one after another, evaluates each, prints the comparison table and writes results.json under the runs directory.
Re-running the same command skips finished runs and evaluations and resumes unfinished runs, so an interrupted experiment (Ctrl-C, a crash) continues where it stopped.
The preset defines the runs: of a config file only runsDir and evaluators.<id> options apply.`;
  static override examples = [
    { description: 'SimCLR on semantic vs augmented pairs of the embedded data (minutes on a laptop)', command: '<%= config.bin %> <%= command.id %> quick' },
    { description: 'The presets there are', command: '<%= config.bin %> <%= command.id %> --list' },
    { description: 'A shorter smoke run in its own directory', command: '<%= config.bin %> <%= command.id %> quick --epochs 1 --runs-dir /tmp/runs' },
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
    'dry-run': Flags.boolean({ description: 'Show what would be trained, resumed, skipped and evaluated, and exit.' }),
  };

  async run(): Promise<void> {
    const presets = experimentPresets;
    if (this.flags.list || !this.args.preset) {
      if (!this.flags.list) {
        throw new UserError('which preset?', `name one: sempair reproduce ${Object.keys(presets).join('|')} (see sempair reproduce --list)`);
      }
      this.listPresets(presets);
      return;
    }
    const preset = presets[this.args.preset];
    if (!preset) {
      throw new UserError(`unknown preset '${this.args.preset}'`, `use one of: ${Object.keys(presets).join(', ')} (sempair reproduce --list)`);
    }
    const registry = await this.registry();
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
    const interrupt = abortOnInterrupt(() => {
      if (this.jsonMode || this.quietMode) process.stderr.write('Stopping after the current step; saving a checkpoint…\n');
    });
    try {
      await runTasks(
        planned.flatMap((p, i) => this.runTasks(registry, p, outcomes[i]!, interrupt.signal)),
        { mode: this.jsonMode ? 'json' : this.quietMode ? 'quiet' : 'human', emit: (v) => this.emit(v) },
      );
    } finally {
      interrupt.dispose();
    }
    await this.report(preset, dir, outcomes);
  }

  /**
   * Pre-training (skipped when finished, resumed when started) then each evaluation of one run.
   * After Ctrl-C every remaining task shows as skipped; the report says how to continue.
   */
  private runTasks(registry: Registry, p: PlannedRun, outcome: RunOutcome, signal: AbortSignal): WorkTask[] {
    const name = `${p.run.label} (${p.run.id})`;
    const train: WorkTask = {
      id: `pretrain:${p.run.id}`,
      title: `pre-train ${name}`,
      skip: () =>
        signal.aborted ? `pre-train ${name}: interrupted` : p.status?.state === 'completed' ? `pre-train ${name}: finished earlier` : undefined,
      run: async (progress, control) => {
        if (p.status?.state === 'stopped-nan') {
          throw new UserError(`run ${p.runDir} stopped on a NaN loss earlier`, 'delete it to train it again, or pass another --runs-dir');
        }
        const prepared = await prepareRun(p.config, registry);
        const resume = p.status !== null;
        if (resume) control.say(`resuming from step ${p.status!.step}`);
        const result = await pretrain(p.config, registry, { runDir: p.runDir, resume, progress, signal }, prepared);
        Object.assign(outcome, { status: result.status, steps: result.steps, finalLoss: result.finalLoss });
        control.setTitle(`pre-train ${name} — ${result.status}, final loss ${formatNumber(result.finalLoss)}`);
        if (result.status === 'stopped-nan') throw new UserError(`run ${p.run.label} stopped: ${result.message ?? 'NaN loss'}`);
      },
    };
    const evals = p.evaluations.map(({ plan, done }) => {
      const task = evaluationTask(registry, p.runDir, plan, (r) => (outcome.evaluations[plan.evaluator] = r), `evaluate ${p.run.label}: ${plan.evaluator}`);
      const skip = (): string | undefined =>
        done
          ? `evaluate ${p.run.label}: ${plan.evaluator} — done earlier`
          : outcome.status !== 'completed'
            ? `evaluate ${p.run.label}: ${plan.evaluator} — training ${outcome.status}`
            : undefined;
      return { ...task, id: `eval:${p.run.id}:${plan.evaluator}`, skip };
    });
    return [train, ...evals];
  }

  private async report(preset: ExperimentPreset, dir: string, outcomes: RunOutcome[]): Promise<void> {
    const evaluations = preset.evaluations.map((e) => e.id);
    const unfinished = outcomes.filter((o) => o.status !== 'completed');
    const comparison = compare(outcomes, evaluations, preset.compare);
    const resultsFile = join(dir, 'results.json');
    const results = {
      preset: { id: preset.id, description: preset.description },
      finishedAt: new Date().toISOString(),
      complete: unfinished.length === 0,
      runs: outcomes,
      comparison: comparison ?? null,
    };
    await writeJsonAtomic(resultsFile, results);
    this.emit({ type: 'result', ...results, resultsFile });
    this.print(`${preset.id}: ${preset.description}`);
    this.print(comparisonTable(outcomes, evaluations, comparison));
    if (!this.quietMode) this.print(`Results: ${resultsFile}`);
    if (unfinished.length) {
      process.stderr.write(
        `Not finished: ${unfinished.map((o) => `${o.label} (${o.status})`).join(', ')}. Run the same command again to continue.\n`,
      );
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

function actionOf(p: PlannedRun): string {
  if (!p.status) return 'train';
  if (p.status.state === 'completed') return 'skip (finished)';
  if (p.status.state === 'stopped-nan') return 'fail (stopped on NaN earlier)';
  return `resume from step ${p.status.step}`;
}

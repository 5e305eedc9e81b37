import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import {
  initBackend,
  newRunDir,
  prepareRun,
  pretrain,
  readJson,
  resolveAugmentation,
  resolveRunConfig,
  RUN_FILES,
  UserError,
  type BackendPreference,
  type EvalResult,
  type PretrainResult,
  type Registry,
  type RunConfig,
  type RunConfigInput,
} from '@sempair/core';
import { SempairCommand } from '../base-command.js';
import { configFlag, runsDirFlag } from '../config/flags.js';
import { loadConfigFile, type FileConfig } from '../config/load-config.js';
import { givenRunFlags, runFlags, runInputFromFlags } from '../config/run-flags.js';
import { evaluationTask, planEvaluations } from '../eval/evaluations.js';
import { formatNumber } from '../progress/format.js';
import { runTasks, type OutputMode } from '../progress/tasks.js';
import { removeIfUntrained } from '../runs/cleanup.js';
import { abortOnInterrupt } from '../signals.js';
import { renderTable, showMetric } from '../tables.js';

export default class Pretrain extends SempairCommand<typeof Pretrain> {
  static override summary = 'Pre-train a backbone with a self-supervised method on semantic or augmented pairs.';
  static override description = `With no flags, trains SimCLR on semantic pairs of the embedded synthetic data (no download).
Settings come from flags, then a config file (sempair.config.{js,mjs,cjs,json,yaml}, .sempairrc*, package.json#sempair, or --config), then the method's defaults. The resolved config is saved in the run directory as config.json.
Ctrl-C stops after the current step and saves a checkpoint; continue with --resume <runDir>.`;

  static override examples = [
    { description: 'Train with the defaults (SimCLR, semantic pairs, embedded data)', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Augmented pairs instead of semantic ones, 20 epochs, then a linear probe and kNN', command: '<%= config.bin %> <%= command.id %> --pairs augmented --epochs 20 --eval linear,knn' },
    { description: 'Method, dataset and backbone options as key=value lists (repeatable)', command: '<%= config.bin %> <%= command.id %> --method-options temperature=0.5 --dataset-options perClass=100,size=32 --backbone-options width=32' },
    { description: 'Ablation: no grayscale and no blur', command: '<%= config.bin %> <%= command.id %> --disable-aug grayscale,blur --name no-gray-blur' },
    { description: 'Continue an interrupted run from its last checkpoint', command: '<%= config.bin %> <%= command.id %> --resume runs/simclr-semantic-labels-20250101-120000' },
    { description: 'Check what would run, without training', command: '<%= config.bin %> <%= command.id %> --config sempair.config.yaml --dry-run' },
  ];

  static override flags = {
    ...runFlags,
    config: configFlag,
    'runs-dir': runsDirFlag,
    name: Flags.string({ char: 'n', description: 'Label of the run directory [default: <method>-<pairs>].', helpGroup: 'RUN' }),
    resume: Flags.string({ description: 'Continue the run in this directory from its newest checkpoint, with its saved config.', helpValue: 'runDir' }),
    eval: Flags.string({
      description: 'Evaluate the backbone after training, e.g. linear,knn (options from the config file: evaluators.<id>).',
      multiple: true,
      multipleNonGreedy: true,
      delimiter: ',',
      helpValue: 'evaluator',
    }),
    'dry-run': Flags.boolean({ description: 'Resolve and check the config, print it, and exit without training.' }),
  };

  private get mode(): OutputMode {
    return this.jsonMode ? 'json' : this.quietMode ? 'quiet' : 'human';
  }

  async run(): Promise<void> {
    const { flags } = this;
    const registry = await this.registry();
    const file = await loadConfigFile(flags.config);
    const config = flags.resume ? await this.resumedConfig(registry) : this.resolveConfig(registry, file);
    // Everything below is checked before a run directory exists (a failure leaves nothing behind).
    resolveAugmentation(registry.augmentations.get(config.augmentation.preset), config.augmentation);
    const evaluations = planEvaluations(flags.eval ?? file.eval ?? [], registry, file);

    if (flags['dry-run']) {
      if (this.jsonMode) this.emit({ type: 'config', config, evaluations });
      else this.print(JSON.stringify(config, null, 2));
      return;
    }

    // The backend too: one asked for by name that cannot run ends here, in one line.
    await initBackend(config.backend as BackendPreference);
    const prepared = await prepareRun(config, registry);
    const facts = prepared.pairSet.describe();
    if (typeof facts.labelAgreement === 'number') {
      this.note(`Mined pairs: ${(100 * facts.labelAgreement).toFixed(1)}% of partners share their anchor's true class.`);
    }
    const runsDir = flags['runs-dir'] ?? file.runsDir ?? './runs';
    const runDir = flags.resume ? resolve(flags.resume) : newRunDir(runsDir, flags.name ?? `${config.method}-${config.pairs}`);
    const existedBefore = existsSync(runDir);

    let result: PretrainResult | undefined;
    const evalResults: Record<string, EvalResult> = {};
    const interrupt = abortOnInterrupt(() => {
      if (this.mode !== 'human') process.stderr.write('Stopping after the current step; saving a checkpoint (Ctrl-C again to quit now)…\n');
    });
    // Evaluations only make sense on a completed run; otherwise they show as skipped.
    const skipUnlessCompleted = (): string | undefined =>
      result?.status === 'completed' ? undefined : `training ${result?.status ?? 'did not complete'}`;
    const shownDir = relative(process.cwd(), runDir).startsWith('..') ? runDir : relative(process.cwd(), runDir);
    const title = `pre-train ${config.method} on ${config.pairs} pairs of ${config.dataset} → ${shownDir}`;
    try {
      await runTasks(
        [
          {
            id: 'pretrain',
            title,
            run: async (progress, control) => {
              interrupt.signal.addEventListener('abort', () => control.say('stopping after this step, saving a checkpoint…'));
              result = await pretrain(config, registry, { runDir, resume: Boolean(flags.resume), progress, signal: interrupt.signal }, prepared);
              control.say(`${result.status} · ${result.steps} steps · final loss ${formatNumber(result.finalLoss)} · backend ${result.backend}`);
              if (result.status !== 'completed') control.setTitle(`${title} — ${result.status} at step ${result.steps}`);
            },
          },
          ...evaluations.map((plan) => ({
            ...evaluationTask(registry, runDir, plan, (r) => (evalResults[plan.evaluator] = r)),
            skip: skipUnlessCompleted,
          })),
        ],
        { mode: this.mode, emit: (v) => this.emit(v) },
      );
    } catch (error) {
      if (!result) await removeIfUntrained(runDir, existedBefore);
      throw error;
    } finally {
      interrupt.dispose();
    }
    this.report(result!, config, evalResults);
  }

  /** flags > config file > method and plugin defaults. */
  private resolveConfig(registry: Registry, file: FileConfig): RunConfig {
    const layers: RunConfigInput[] = [runInputFromFlags(this.flags), file.run];
    try {
      return resolveRunConfig(layers, registry);
    } catch (error) {
      if (error instanceof UserError && file.path && !error.message.includes('config file')) {
        throw new UserError(`${error.message} (settings from flags and config file ${file.path})`, error.fix);
      }
      throw error;
    }
  }

  /** A resumed run keeps the config it was started with; only the backend may change. */
  private async resumedConfig(registry: Registry): Promise<RunConfig> {
    const runDir = resolve(this.flags.resume!);
    const changed = givenRunFlags(this.flags).filter((name) => name !== 'backend');
    if (changed.length) {
      throw new UserError(
        `--resume continues a run with its saved config; --${changed.join(', --')} cannot change it`,
        'drop those flags, or start a new run without --resume',
      );
    }
    if (!existsSync(resolve(runDir, RUN_FILES.config))) {
      throw new UserError(`no run to resume in ${this.flags.resume}: ${RUN_FILES.config} is missing`, 'pass a run directory made by sempair pretrain');
    }
    const saved = await readJson<RunConfigInput>(resolve(runDir, RUN_FILES.config), 'run config');
    return resolveRunConfig([this.flags.backend ? { backend: this.flags.backend } : {}, saved], registry);
  }

  private report(result: PretrainResult, config: RunConfig, evals: Record<string, EvalResult>): void {
    const resumeHint = `sempair pretrain --resume ${result.runDir}`;
    this.emit({ type: 'result', ...result, config, evaluations: evals, ...(result.status === 'aborted' ? { resume: resumeHint } : {}) });
    if (result.status === 'stopped-nan') {
      throw new UserError(`training stopped: ${result.message ?? 'the loss is not a number'}`);
    }
    if (result.status === 'failed-backend') {
      throw new UserError(`training stopped: ${result.message ?? 'the backend failed'}`);
    }
    if (result.status === 'aborted') {
      process.stderr.write(`Stopped at step ${result.steps}; a checkpoint is saved. Resume with: ${resumeHint}\n`);
      process.exitCode = 130;
      return;
    }
    this.print(`Run ${result.status}: ${result.runDir}`);
    this.print(`  ${result.steps} steps · ${config.epochs} epochs · final loss ${formatNumber(result.finalLoss)} · backend ${result.backend}`);
    const ids = Object.keys(evals);
    if (ids.length) {
      const names = [...new Set(ids.flatMap((id) => Object.keys(evals[id]!.metrics)))];
      this.print(renderTable(['evaluation', ...names], ids.map((id) => [id, ...names.map((n) => showMetric(n, evals[id]!.metrics[n]))])));
    } else if (!this.quietMode) {
      this.print(`  evaluate it: sempair eval linear ${result.runDir}`);
    }
  }
}

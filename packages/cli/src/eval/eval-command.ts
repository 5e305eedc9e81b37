import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import {
  builtinEvaluators,
  evalResultFile,
  evalResultName,
  evaluateConfig,
  evaluateRun,
  NAME_PATTERN,
  resolveOptions,
  resolveRunConfig,
  RUN_FILES,
  UserError,
  type EvalResult,
  type EvaluatorDefinition,
  type OptionValues,
} from '@sempair/core';
import { SempairCommand } from '../base-command.js';
import { backendFlag, configFlag, optionsFlag, parseOptionFlags } from '../config/flags.js';
import { loadConfigFile } from '../config/load-config.js';
import { runTasks } from '../progress/tasks.js';
import { renderTable, showMetric } from '../tables.js';
import { optionsFromFlags, schemaFlags } from './schema-flags.js';
import { summarizeMetrics } from './evaluations.js';

/** Flags every `sempair eval <evaluator>` command has, besides the evaluator's own options. */
export const evalFlags = {
  checkpoint: Flags.string({ description: 'Run directory made by sempair pretrain (the same as the argument); its newest checkpoint is evaluated.' }),
  config: configFlag,
  options: optionsFlag('Evaluator options as key=value,… (repeatable); same as the option flags below.'),
  'random-init': Flags.boolean({
    description: 'Baseline: evaluate a randomly initialised backbone (of the run given, or of --backbone without a run). Saved as eval/<evaluator>-<downstream dataset>-random.json, or eval/<name>-random.json with --name.',
  }),
  name: Flags.string({
    description: "Name of the result in the run's eval/ folder (eval/<name>.json), as an experiment names its evaluations (linear-shifted) [default: the evaluator id].",
    helpValue: 'name',
  }),
  backbone: Flags.string({ description: 'Backbone for a --random-init baseline without a run directory.', helpGroup: 'BASELINE' }),
  'backbone-options': optionsFlag('Backbone options for the baseline, e.g. width=16.', 'BASELINE'),
  'image-size': Flags.integer({ min: 4, description: 'Input size for the baseline [default: 32].', helpGroup: 'BASELINE' }),
  backend: backendFlag,
};

const RESERVED = new Set([...Object.keys(evalFlags), 'debug', 'json', 'quiet', 'help']);

/** Option flags generated from an evaluator's schema: a core built-in by id, or a plugin's definition (see schema-flags.ts). */
export function evaluatorFlags(evaluator: string | EvaluatorDefinition): ReturnType<typeof schemaFlags> {
  const definition = typeof evaluator === 'string' ? builtinEvaluators.find((e) => e.id === evaluator) : evaluator;
  return definition ? schemaFlags(definition.options, RESERVED, 'EVALUATOR OPTIONS') : {};
}

/**
 * `sempair eval <evaluator> <runDir>`: evaluates a run's newest checkpoint (or, with
 * --random-init, its architecture as initialised), writes eval/<evaluator or --name>.json into
 * the run (a baseline: eval/<evaluator>-<downstream dataset>-random.json, or
 * eval/<name>-random.json), and prints the metrics as a table.
 */
export abstract class EvalCommand extends SempairCommand<typeof EvalCommand> {
  /** Registry id of the evaluator this command runs. */
  static evaluatorId: string;

  static override args = {
    runDir: Args.string({ description: 'Run directory made by sempair pretrain.', required: false }),
  };
  static override flags = evalFlags;

  /** A table of the result's details printed above the metrics (e.g. detection's per-class AP). */
  protected detailTable(_result: EvalResult): string | undefined {
    return undefined;
  }

  async run(): Promise<void> {
    const id = (this.ctor as unknown as typeof EvalCommand).evaluatorId;
    const registry = await this.registry();
    const evaluator = registry.evaluators.get(id);
    const file = await loadConfigFile(this.flags.config);
    const raw: OptionValues = {
      ...(file.evaluators[id] ?? {}),
      ...optionsFromFlags(evaluator.options, this.flags as Record<string, unknown>),
      ...parseOptionFlags(this.flags.options, 'options'),
    };
    // Checked before any work: a bad value fails now, not after loading a checkpoint.
    const options = resolveOptions(evaluator.options, raw, `evaluator ${id}`);
    evaluator.validate?.(options);
    const randomInit = this.flags['random-init'];
    const given = this.args.runDir ?? this.flags.checkpoint;
    if (this.args.runDir && this.flags.checkpoint && resolve(this.args.runDir) !== resolve(this.flags.checkpoint)) {
      throw new UserError(`two run directories: ${this.args.runDir} and --checkpoint ${this.flags.checkpoint}`, 'pass one of them');
    }
    const runDir = given ? resolve(given) : undefined;
    const name = this.flags.name;
    if (name !== undefined && !NAME_PATTERN.test(name)) throw new UserError(`--name must be a name of letters, digits, ".", "_" or "-", got '${name}'`, 'write e.g. --name linear-fashion');

    let evaluate: (progress: Parameters<typeof evaluateRun>[1]['progress']) => Promise<EvalResult>;
    if (runDir) {
      if (!existsSync(resolve(runDir, RUN_FILES.config))) {
        throw new UserError(`not a run directory: ${given} (no ${RUN_FILES.config})`, 'pass a directory made by sempair pretrain, e.g. runs/simclr-semantic-labels-…');
      }
      evaluate = (progress) => evaluateRun(registry, { runDir, evaluator: id, options, progress, randomInit, backend: this.flags.backend, name });
    } else if (randomInit) {
      if (!this.flags.backbone) {
        throw new UserError('--random-init without a run directory needs --backbone', 'add e.g. --backbone resnet18 --backbone-options width=16');
      }
      const config = resolveRunConfig(
        [
          {
            backbone: this.flags.backbone,
            backboneOptions: parseOptionFlags(this.flags['backbone-options'], 'backbone-options'),
            augmentation: this.flags['image-size'] ? { size: this.flags['image-size'] } : undefined,
            backend: this.flags.backend,
          },
          file.run,
        ],
        registry,
      );
      evaluate = (progress) => evaluateConfig(registry, config, { runDir: process.cwd(), evaluator: id, options, progress, randomInit: true, save: false });
    } else {
      throw new UserError(`sempair eval ${id} needs a run directory`, `pass one, e.g. sempair eval ${id} runs/<run>, or --random-init --backbone resnet18 for a baseline`);
    }

    let result: EvalResult | undefined;
    const what = runDir ? `${randomInit ? 'random-init baseline of ' : ''}${runDir}` : `random-init ${this.flags.backbone}`;
    await runTasks(
      [
        {
          id: `eval:${id}`,
          title: `evaluate ${what}: ${id}`,
          run: async (progress, control) => {
            result = await evaluate(progress);
            control.setTitle(`evaluate ${what}: ${id} — ${summarizeMetrics(result.metrics)}`);
          },
        },
      ],
      { mode: this.jsonMode ? 'json' : this.quietMode ? 'quiet' : 'human', emit: (v) => this.emit(v) },
    );
    this.emit({ type: 'result', evaluator: id, runDir: runDir ?? null, randomInit, options, metrics: result!.metrics, details: result!.details ?? {} });
    const details = this.quietMode ? undefined : this.detailTable(result!);
    if (details) this.print(details);
    this.print(renderTable(['metric', id], Object.entries(result!.metrics).map(([name, value]) => [name, showMetric(name, value)])));
    if (runDir && !this.quietMode) this.print(`Saved in ${resolve(runDir, RUN_FILES.eval, evalResultFile(evalResultName(id, options, { name, randomInit }), randomInit))}`);
  }
}

import { Args } from '@oclif/core';
import { DEFAULT_RUN, DEFAULT_TRAINING, type AugmentStep, type MethodDefinition, type Registry } from '@sempair/core';
import { SempairCommand } from '../base-command.js';
import { renderPairs, renderTable, showValue } from '../tables.js';

export default class Methods extends SempairCommand<typeof Methods> {
  static override summary = "List installed self-supervised methods, or show one method's options and defaults.";
  static override examples = [
    { description: 'Every installed method and the plugin it comes from', command: '<%= config.bin %> <%= command.id %>' },
    { description: "SimCLR's options, training defaults and augmentation preset", command: '<%= config.bin %> <%= command.id %> simclr' },
  ];
  static override args = {
    id: Args.string({ description: 'Method to describe.', required: false }),
  };

  async run(): Promise<void> {
    const registry = await this.registry();
    if (this.args.id) this.describe(registry, registry.methods.get(this.args.id));
    else this.list(registry);
  }

  private list(registry: Registry): void {
    const methods = registry.methods.list();
    this.emit({
      methods: methods.map((m) => ({ id: m.id, description: m.description, plugin: registry.methods.origin(m.id) })),
    });
    if (methods.length === 0) {
      this.print('No methods installed. Install a method plugin with: sempair plugins install <package>');
      return;
    }
    this.print(renderTable(['method', 'description', 'plugin'], methods.map((m) => [m.id, m.description, registry.methods.origin(m.id)])));
    if (!this.quietMode) this.print("Details: sempair methods <method>");
  }

  private describe(registry: Registry, method: MethodDefinition): void {
    const training = { ...DEFAULT_TRAINING, ...method.training };
    const perBackbone = (method.backboneTraining ?? []).map((entry) => ({ backbone: entry.backbone, training: { ...training, ...entry.training } }));
    const preset = registry.augmentations.has(method.augmentation) ? registry.augmentations.get(method.augmentation) : undefined;
    this.emit({
      id: method.id,
      description: method.description,
      plugin: registry.methods.origin(method.id),
      options: method.options,
      training,
      ...(perBackbone.length ? { backboneTraining: perBackbone } : {}),
      run: { epochs: DEFAULT_RUN.epochs, batchSize: DEFAULT_RUN.batchSize, imageSize: DEFAULT_RUN.augmentation?.size },
      augmentation: preset ? { id: preset.id, description: preset.description, views: preset.views } : { id: method.augmentation, missing: true },
    });

    this.print(`${method.id} — ${method.description} (plugin ${registry.methods.origin(method.id)})`);
    this.print('');
    this.print('Options (--method-options key=value,…):');
    const options = Object.entries(method.options);
    this.print(
      options.length
        ? renderTable(
            ['option', 'type', 'default', 'description'],
            options.map(([name, spec]) => [name, spec.choices ? spec.choices.join('|') : spec.type, showValue(spec.default), spec.description]),
          )
        : '  (none)',
    );
    this.print('');
    this.print('Training defaults (flags and config file override them):');
    this.print(
      renderPairs([
        ['optimizer', training.optimizer],
        ['lr (base, × batch/256)', `${training.lr}${training.scaleLr ? '' : ' (not scaled)'}`],
        ['weight decay', training.weightDecay],
        ['momentum', training.momentum],
        ...(training.optimizer === 'lars'
          ? ([['LARS η', training.larsEta], ['LARS clip_lr', training.larsClipLr ? 'on' : 'off'], ['LARS on bias/norm', training.larsExcludeBiasNorm ? 'no (excluded)' : 'yes']] as Array<[string, number | string]>)
          : []),
        ['warm-up epochs', training.warmupEpochs],
        ['gradient clip (global norm)', training.gradClip > 0 ? training.gradClip : 'off'],
        ['epochs', DEFAULT_RUN.epochs],
        ['batch size', DEFAULT_RUN.batchSize],
      ]),
    );
    for (const { backbone, training: t } of perBackbone) {
      const clip = t.gradClip > 0 ? `, gradient clip ${t.gradClip}` : '';
      this.print(`  with ${backbone}* backbones: ${t.optimizer}, lr ${t.lr}, weight decay ${t.weightDecay}${clip}`);
    }
    this.print('');
    if (!preset) {
      this.print(`Augmentation preset '${method.augmentation}' is not installed.`);
      return;
    }
    this.print(`Augmentation preset ${preset.id} — ${preset.description} (switch steps off with --disable-aug):`);
    this.print(
      renderTable(
        ['view', 'steps'],
        preset.views.map((view, i) => [String(i + 1), view.steps.map(describeStep).join('\n')]),
      ),
    );
  }
}

/** "jitter b=0.8 c=0.8 s=0.8 h=0.2 p=0.8": a step's type and its parameters. */
function describeStep(step: AugmentStep): string {
  const params = Object.entries(step)
    .filter(([key]) => key !== 'type')
    .map(([key, value]) => `${key}=${showValue(value)}`);
  return [step.type, ...params].join(' ');
}

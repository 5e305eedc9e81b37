import { relative, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { initBackend, prepareRun, resolveRunConfig, UserError, type BackendPreference, type Registry, type RunConfig } from '@sempair/core';
import { SempairCommand } from '../../base-command.js';
import { configFlag } from '../../config/flags.js';
import { loadConfigFile, type FileConfig } from '../../config/load-config.js';
import { runFlags, runInputFromFlags } from '../../config/run-flags.js';
import { writeContactSheet } from '../../preview/contact-sheet.js';
import { previewPairs } from '../../preview/pair-preview.js';
import { renderTable } from '../../tables.js';

/** The run flags that decide which pairs are drawn and how they are augmented. */
const { method, dataset, pairs, seed, backend, augmentation } = runFlags;
const previewRunFlags = {
  method,
  dataset,
  'dataset-options': runFlags['dataset-options'],
  pairs,
  'pair-options': runFlags['pair-options'],
  seed,
  backend,
  augmentation,
  'image-size': runFlags['image-size'],
  'disable-aug': runFlags['disable-aug'],
  'local-crops': runFlags['local-crops'],
};

export default class PairsPreview extends SempairCommand<typeof PairsPreview> {
  static override summary = 'Write a PNG contact sheet of the positive pairs a run would train on, with their augmented views.';
  static override description = `One row per pair: image a, image b, then each augmented view as the method's preset makes it (normalisation undone), small images scaled up (nearest neighbour) to at least 96 px.
The pairs are the first ones of epoch 0 in the order pre-training visits them. Settings resolve as for sempair pretrain: flags, then the config file, then the method's defaults; a bad dataset or manifest fails the same way.`;

  static override examples = [
    { description: 'Semantic pairs of the embedded data with SimCLR views', command: '<%= config.bin %> <%= command.id %> --out pairs.png' },
    { description: 'Augmented pairs (a = b), 4 rows, no blur', command: '<%= config.bin %> <%= command.id %> --pairs augmented --count 4 --disable-aug blur --out aug.png' },
    { description: 'Check a curated manifest before training on it', command: '<%= config.bin %> <%= command.id %> --pairs semantic-manifest --pair-options manifest=pairs.csv --out manifest.png' },
  ];

  static override flags = {
    ...previewRunFlags,
    config: configFlag,
    out: Flags.string({ char: 'o', required: true, description: 'PNG file to write.', helpValue: 'file.png' }),
    count: Flags.integer({ min: 1, max: 256, default: 8, description: 'Pairs (rows) to show.' }),
  };

  async run(): Promise<void> {
    if (!/\.png$/i.test(this.flags.out)) {
      throw new UserError(`--out ${this.flags.out} is not a .png file`, 'name the output file with a .png extension');
    }
    const registry = await this.registry();
    const file = await loadConfigFile(this.flags.config);
    const config = this.resolveConfig(registry, file);
    // Opens the dataset and the pair source exactly as pretrain does (manifests are checked here).
    const prepared = await prepareRun(config, registry);
    await initBackend(config.backend as BackendPreference);
    const preview = await previewPairs(prepared, registry, this.flags.count);
    const out = resolve(this.flags.out);
    const layout = await writeContactSheet(preview.rows, out);

    const shown = relative(process.cwd(), out).startsWith('..') ? out : relative(process.cwd(), out);
    const classes = prepared.pairSet.images.classes;
    const className = (label: number): string => classes[label] ?? (label === -1 ? 'unlabelled' : String(label));
    this.emit({
      out,
      width: layout.width,
      height: layout.height,
      cell: { width: layout.cellWidth, height: layout.cellHeight },
      gap: layout.gap,
      columns: preview.columns,
      pairs: preview.pairs.map((p) => ({ ...p, class: className(p.label), classB: className(p.labelB) })),
      config: { dataset: config.dataset, pairs: config.pairs, method: config.method, augmentation: config.augmentation, seed: config.seed },
    });
    this.print(`Wrote ${shown} (${layout.width}×${layout.height} px): ${preview.pairs.length} ${config.pairs} pairs of ${config.dataset}, augmentation ${config.augmentation.preset}`);
    if (this.quietMode) return;
    this.print(`Columns: ${preview.columns.map((c, i) => `${i + 1} ${c}`).join(' · ')}`);
    this.print(
      renderTable(
        ['row', 'a', 'b', 'positive id', 'class a', 'class b'],
        preview.pairs.map((p, i) => [i + 1, p.a, p.b, p.index, className(p.label), className(p.labelB)]),
      ),
    );
  }

  /** flags > config file > method and plugin defaults, as for pretrain. */
  private resolveConfig(registry: Registry, file: FileConfig): RunConfig {
    try {
      return resolveRunConfig([runInputFromFlags(this.flags), file.run], registry);
    } catch (error) {
      if (error instanceof UserError && file.path && !error.message.includes('config file')) {
        throw new UserError(`${error.message} (settings from flags and config file ${file.path})`, error.fix);
      }
      throw error;
    }
  }
}

import { Args, Flags } from '@oclif/core';
import { resolveOptions, Rng } from '@sempair/core';
import { SempairCommand } from '../../base-command.js';
import { optionsFlag, parseOptionFlags } from '../../config/flags.js';
import { inspectDataset, type DatasetReport } from '../../data/inspect-dataset.js';
import { renderPairs, renderTable } from '../../tables.js';

export default class DataInspect extends SempairCommand<typeof DataInspect> {
  static override summary = 'Count images per class and check a dataset for problems, without loading it all.';
  static override description = `Reads labels through the reader's labels() when it has one (otherwise one image at a time) and decodes only --sample images, spread over the dataset, for pixel checks (all-zero or single-value images, wrong sizes).
Problems listed: empty classes, labels out of range, and what the pixel checks found.`;

  static override examples = [
    { description: 'The embedded dataset at its default size', command: '<%= config.bin %> <%= command.id %> synthetic' },
    { description: 'MNIST-style IDX files, checking 64 images', command: '<%= config.bin %> <%= command.id %> idx --dataset-options dir=./data/mnist --sample 64' },
    { description: 'Machine-readable report', command: '<%= config.bin %> <%= command.id %> synthetic --dataset-options perClass=10 --json' },
  ];

  static override args = {
    dataset: Args.string({ description: 'Dataset id (see the --dataset flag of sempair pretrain).', required: true }),
  };

  static override flags = {
    'dataset-options': optionsFlag('Dataset options, e.g. perClass=200,size=32.'),
    sample: Flags.integer({ min: 0, default: 16, description: 'Images decoded for the pixel checks (spread evenly over the dataset).' }),
    seed: Flags.integer({ min: 0, default: 0, description: 'Seed for readers that draw at random (same derivation as a run with this seed).' }),
  };

  async run(): Promise<void> {
    const registry = await this.registry();
    const definition = registry.datasets.get(this.args.dataset);
    const options = resolveOptions(definition.options, parseOptionFlags(this.flags['dataset-options'], 'dataset-options'), `dataset ${definition.id}`);
    // The same rng a run derives for its dataset, so a reader that subsamples shows the same images.
    const dataset = await definition.open(options, { rng: new Rng(this.flags.seed).derive('dataset') });
    const report = await inspectDataset(dataset, this.flags.sample);
    this.emit({ dataset: definition.id, options, ...report });
    this.show(report);
  }

  private show(report: DatasetReport): void {
    const classCount = report.classes.length;
    if (!this.quietMode) {
      this.print(renderTable(['label', 'class', 'images'], report.classes.map((k) => [k.label, k.name, k.count])));
    }
    this.print(
      renderPairs([
        ['dataset', report.name],
        ['images', report.size],
        ['image shape (h×w×c)', report.shape.join('×')],
        ['classes', classCount],
        ['unlabelled (label -1)', report.unlabelled],
        ['labels out of range', report.outOfRange],
        ['per class min / max', `${report.balance.min} / ${report.balance.max}${report.balance.ratio ? ` (ratio ${report.balance.ratio})` : ''}`],
        ['labels read from', report.labelSource === 'labels()' ? 'the reader (no decoding)' : 'every image (the reader has no labels())'],
        ['pixel checks', `${report.sample.indexes.length} image(s); mean per channel ${report.sample.meanPerChannel.join(', ') || '–'}`],
      ]),
    );
    if (report.problems.length === 0) {
      this.print('No problems found.');
      return;
    }
    this.print(`${report.problems.length} problem(s):`);
    for (const problem of report.problems) this.print(`  - ${problem.message}`);
  }
}

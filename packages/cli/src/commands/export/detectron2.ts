import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { exportRunToDetectron2 } from '@sempair/eval-detection';
import { SempairCommand } from '../../base-command.js';
import { renderPairs } from '../../tables.js';

export default class ExportDetectron2 extends SempairCommand<typeof ExportDetectron2> {
  static override summary = "Write a run's ResNet backbone as a detectron2 checkpoint (.pkl), named and laid out as MoCo's converter writes it.";
  static override description = `Takes the newest checkpoint of the run, renames its torchvision weights for detectron2 (layerN → res(N+1), bnK → convK.norm, downsample.0/1 → shortcut / shortcut.norm, stem weights under stem.), stores them as float32 numpy arrays in PyTorch's layout (convolution kernels OIHW) and pickles {"model": …, "__author__": "sempair", "matching_heuristics": True}. Fine-tune it in detectron2 with MODEL.WEIGHTS pointing at the file and the config values printed here (input format, pixel mean and std of the run's normalisation, ResNet depth and widths).`;

  static override examples = [
    { description: 'The default file, <run>/export/detectron2-<checkpoint>.pkl', command: '<%= config.bin %> <%= command.id %> runs/simclr-semantic-labels-20250101-120000' },
    { description: 'A file of your choice', command: '<%= config.bin %> <%= command.id %> runs/my-run --out r50-semantic.pkl' },
  ];

  static override args = {
    run: Args.string({ description: 'Run directory.', required: true }),
  };

  static override flags = {
    out: Flags.string({ description: 'Output .pkl file [default: <run>/export/detectron2-<checkpoint>.pkl].' }),
  };

  async run(): Promise<void> {
    const registry = await this.registry();
    const result = await exportRunToDetectron2(registry, resolve(this.args.run), this.flags.out === undefined ? undefined : resolve(this.flags.out));
    this.emit({ type: 'export', format: 'detectron2', ...result });
    this.print(renderPairs([
      ['file', result.out],
      ['from', `${result.run} (${result.checkpoint}, ${result.backbone})`],
      ['weights', `${result.weights.length} arrays, e.g. ${result.weights.slice(0, 2).map((w) => `${w.from} → ${w.name}`).join(', ')}`],
    ]));
    if (!this.quietMode) {
      this.print('detectron2 config:');
      this.print(renderPairs(Object.entries(result.config).map(([key, value]) => [key, Array.isArray(value) ? `[${value.join(', ')}]` : String(value)])));
    }
    for (const warning of result.warnings) this.print(`Note: ${warning}`);
  }
}

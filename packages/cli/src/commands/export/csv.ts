import { relative } from 'node:path';
import { Args } from '@oclif/core';
import { writeMetricsCsv } from '@sempair/core';
import { SempairCommand } from '../../base-command.js';
import { findRunDirs } from '../../runs/find-runs.js';
import { renderTable } from '../../tables.js';

export default class ExportCsv extends SempairCommand<typeof ExportCsv> {
  static override summary = "Write each run's metrics as <run>/metrics.csv (one row per logged step), for spreadsheets.";
  static override examples = ['<%= config.bin %> <%= command.id %> runs/reproduce-quick'];
  static override strict = false;
  static override args = {
    path: Args.string({ description: 'A run, an experiment or a runs directory (several may be given).', required: true }),
  };

  async run(): Promise<void> {
    const runs = await findRunDirs(this.argv.filter((a) => !a.startsWith('-')));
    const files: Array<{ run: string; file: string }> = [];
    for (const run of runs) files.push({ run, file: await writeMetricsCsv(run) });
    this.emit({ runs: files });
    const cwd = process.cwd();
    this.print(renderTable(['run', 'file'], files.map((f) => [relative(cwd, f.run) || '.', relative(cwd, f.file)])));
  }
}

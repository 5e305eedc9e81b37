import { Args, Flags } from '@oclif/core';
import { buildResultTables, readRunRecords } from '@sempair/core';
import { SempairCommand } from '../base-command.js';
import { experimentFlags, loadExperiment } from '../reproduce/experiment-flags.js';
import { formatResults, RESULT_FORMATS, type ResultFormat } from '../results/format-results.js';

export default class Results extends SempairCommand<typeof Results> {
  static override summary = "Rebuild an experiment's tables from its run directories, in the paper's layout, the paper's numbers beside ours.";
  static override description = `Reads the run directories of the experiment (the same arguments as sempair reproduce name it) and prints its tables: our numbers (mean ± sd over seeds), the paper's published numbers in their own columns, the a − b rows (SP − AP), and a "random init" row where the experiment has a random-init baseline (the same evaluations of the untrained backbone; pre-trained numbers not above it are named under the table). A reduced-scale experiment says so under each table; a negative difference is shown as it is and named. Runs not finished yet show why ("not run", "running (step 40/88)", "not evaluated"). Nothing is trained.`;
  static override examples = [
    { description: "Figure 4's design at cpu scale, as a terminal table", command: '<%= config.bin %> <%= command.id %> figure4 --scale cpu' },
    { description: 'As Markdown, for a paper draft or an issue', command: '<%= config.bin %> <%= command.id %> table1 --scale cpu --format markdown' },
    { description: 'One line per cell, for a spreadsheet', command: '<%= config.bin %> <%= command.id %> my-study.experiment.yaml --format csv > results.csv' },
  ];
  static override args = {
    experiment: Args.string({ description: 'A preset (see sempair reproduce --list), a name under experiments: in the config file, or an experiment file.', required: false }),
  };
  static override flags = {
    ...experimentFlags,
    format: Flags.option({ options: RESULT_FORMATS, default: 'table' as ResultFormat, description: 'table (terminal), markdown, csv (one line per cell) or json.' })(),
  };

  async run(): Promise<void> {
    const registry = await this.registry();
    // Run ids hash dataset references, not paths: the tables need no --data.
    const { experiment } = await loadExperiment(this.args.experiment, this.flags, registry, { allowMissingData: true });
    const tables = buildResultTables(experiment, await readRunRecords(experiment.runs));
    const format: ResultFormat = this.jsonMode ? 'json' : this.flags.format;
    const text = formatResults(tables, format, { experiment: experiment.id, description: experiment.description, scale: experiment.scale, dir: experiment.dir });
    process.stdout.write(`${text}\n`);
  }
}

import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { PAPER, writeFileAtomic } from '@sempair/core';
import { SempairCommand } from '../base-command.js';
import { buildReport } from '../report/build-report.js';
import { renderHtml, renderMarkdown } from '../report/report-document.js';
import { experimentFlags, loadExperiment } from '../reproduce/experiment-flags.js';

function packageVersion(name: string): string | undefined {
  try {
    return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

export default class Report extends SempairCommand<typeof Report> {
  static override summary = "Write an experiment's report: tables beside the paper's numbers, charts in the shape of its figures, training curves, the pairs, the environment.";
  static override description = `Reads the run directories of the experiment (named by the same arguments as sempair reproduce) and writes one page: the results tables (ours, labelled with their scale, beside the paper's published numbers, and SP − AP), a grouped-bar chart per table in the shape of the paper's Figures 4 and 5, accuracy against epochs or images per class, the pre-training loss and embedding spread of every run, a contact sheet of the pairs each kind of run trains on, and the environment (backend, versions, seeds, machine).
HTML (default) is one self-contained file — charts as inline SVG, pictures as base64 — that opens in any browser without a network. --format markdown writes the page with its SVG and PNG files in a folder beside it. Nothing is trained; a partial grid is reported as far as it got.`;
  static override examples = [
    { description: "Figure 4's design at cpu scale, after sempair reproduce figure4 --scale cpu", command: '<%= config.bin %> <%= command.id %> figure4 --scale cpu' },
    { description: 'Markdown with SVG files, for a repository or a wiki', command: '<%= config.bin %> <%= command.id %> table1 --scale cpu --format markdown --out docs/table1.md' },
  ];
  static override args = {
    experiment: Args.string({ description: 'A preset (see sempair reproduce --list), a name under experiments: in the config file, or an experiment file.', required: false }),
  };
  static override flags = {
    ...experimentFlags,
    format: Flags.option({ options: ['html', 'markdown'] as const, default: 'html' as const, description: 'html: one self-contained file; markdown: a .md with its charts and pictures in a folder beside it.' })(),
    out: Flags.string({ char: 'o', description: 'Where to write the report [default: report.html or report.md in the experiment directory].', helpValue: 'file' }),
    pairs: Flags.boolean({ default: true, allowNo: true, description: 'Draw the pair contact sheets (opens the datasets; --no-pairs skips them).' }),
  };

  async run(): Promise<void> {
    const registry = await this.registry();
    // Run ids hash dataset references, not paths: a report needs no --data (pair sheets say what they could not open).
    const { experiment } = await loadExperiment(this.args.experiment, this.flags, registry, { allowMissingData: true });
    const format = this.flags.format;
    const out = resolve(this.flags.out ?? join(experiment.dir, format === 'html' ? 'report.html' : 'report.md'));
    const versions: Record<string, string> = { sempair: this.config.version };
    for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', 'vega', 'vega-lite']) {
      const version = packageVersion(name);
      if (version) versions[name] = version;
    }
    const report = await buildReport(experiment, { registry, versions, pairs: this.flags.pairs, citation: PAPER.citation });
    const files: string[] = [out];
    if (format === 'html') await writeFileAtomic(out, renderHtml(report));
    else {
      const assets = `${basename(out).replace(/\.md$/i, '')}-files`;
      const { markdown, files: extra } = renderMarkdown(report, assets);
      for (const [name, content] of extra) {
        const path = join(dirname(out), name);
        await writeFileAtomic(path, content);
        files.push(path);
      }
      await writeFileAtomic(out, markdown);
    }
    const finished = report.runs.filter((r) => r.state === 'completed' && r.missing.length === 0).length;
    this.emit({ report: out, format, files, runs: report.runs.length, finished, figures: report.figures.map((f) => f.id), sheets: report.sheets.map((s) => ({ title: s.title, problem: s.problem })) });
    this.print(`Report: ${relative(process.cwd(), out) || out} (${finished} of ${report.runs.length} runs finished; ${report.figures.length} charts${report.sheets.length ? `, ${report.sheets.filter((s) => s.png).length} pair sheets` : ''})`);
    for (const s of report.sheets.filter((s) => s.problem)) this.note(`Pairs of ${s.title} not drawn: ${s.problem}`);
  }
}

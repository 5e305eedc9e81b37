import { buildResultTables, type ExpandedExperiment, type Registry } from '@sempair/core';
import { renderSvg } from './charts.js';
import { axisCurveFigures, curveFigures, tableFigure, type Figure } from './figures.js';
import { pairSheets } from './pair-sheets.js';
import { environment, readReportRuns } from './report-data.js';
import type { ReportContent } from './report-document.js';

export interface BuildReportOptions {
  registry: Registry;
  /** Software versions to list (sempair, tfjs, …). */
  versions: Record<string, string>;
  /** Draw the pair contact sheets (opens each kind of run's dataset). */
  pairs: boolean;
  citation?: string;
}

/**
 * Gathers a report from an experiment's run directories: its results tables (ours beside the
 * paper's), a chart per table in the paper's figure shape, training curves, accuracy against
 * epochs or data size, the pair sheets and the environment. Works on a partial grid: what has
 * not run yet is listed, not guessed.
 */
export async function buildReport(experiment: ExpandedExperiment, options: BuildReportOptions): Promise<ReportContent> {
  const runs = await readReportRuns(experiment);
  const tables = buildResultTables(experiment, runs);
  const figures: Figure[] = [
    ...tables.map((t, i) => tableFigure(t, experiment.tables[i]!, experiment)).filter((f): f is Figure => f !== undefined),
    ...axisCurveFigures(experiment, runs),
    ...curveFigures(runs),
  ];
  const rendered = [];
  for (const f of figures) rendered.push({ id: f.id, title: f.title, caption: f.caption, svg: await renderSvg(f.spec) });
  return {
    experiment: { id: experiment.id, description: experiment.description, scale: experiment.scale, dir: experiment.dir },
    generatedAt: new Date().toISOString(),
    runs,
    tables,
    figures: rendered,
    sheets: options.pairs ? await pairSheets(experiment, options.registry) : [],
    environment: environment(runs, options.versions),
    citation: options.citation,
  };
}

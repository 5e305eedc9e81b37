import type { AxisName } from '@sempair/core';
import type { TopLevelSpec } from 'vega-lite';
import { axisCurveSpec, curvesSpec, groupedBarSpec, type BarDatum, type CurvePoint } from './charts.js';
import type { ReportExperiment, ReportRun } from './report-data.js';
import type { TableCells } from './table-cells.js';

/** A chart of the report: its spec (rendered to SVG later), a caption, a file name for Markdown. */
export interface Figure {
  id: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

const AXIS_TITLES: Record<AxisName, string> = {
  method: 'method',
  pairs: 'pairs',
  dataset: 'pre-training data',
  epochs: 'epochs',
  perClass: 'images per class',
  ablation: 'transformations',
  seed: 'seed',
};

/** "ours · cpu scale": every chart says which numbers are reduced-scale. */
export function oursLabel(scale: string): string {
  return scale === 'paper' ? 'ours · paper settings' : `ours · ${scale} scale (reduced)`;
}
export const PAPER_LABEL = 'paper (published)';

function measureOf(cells: TableCells): string {
  const metrics = [...new Set(cells.columns.map((c) => c.metric))];
  return metrics.length === 1 && metrics[0] === 'top1' ? 'top-1 accuracy (%)' : metrics.join(' / ');
}

/**
 * A results table as grouped bars, the shape of the paper's Figures 4 and 5: the table's
 * difference axis (SP vs AP) side by side in each group; groups from the other row axes
 * (methods, ablations) or, when there are none, from a column axis (epochs); one panel per
 * downstream dataset; a row of panels for the paper's published numbers when it gives some.
 * Where our value stands for another of the paper's (4 epochs for 200), the group says both.
 */
export function tableFigure(cells: TableCells, scale: string): Figure | undefined {
  const { table, rows, columns } = cells;
  const seriesAxis: AxisName | undefined = table.difference?.axis ?? (table.rows.includes('pairs') ? 'pairs' : undefined);
  const groupAxes = table.rows.filter((a) => a !== seriesAxis);
  const columnAxis = 'axis' in table.columns ? table.columns.axis : undefined;
  const ours = oursLabel(scale);
  const data: BarDatum[] = [];
  const groups: string[] = [];
  const panels: string[] = [];
  const series: string[] = [];
  const add = (list: string[], v: string): void => void (list.includes(v) || list.push(v));
  rows.forEach((row, i) => {
    const rowSeries = seriesAxis ? row.labels[seriesAxis]! : row.key;
    const paperRowParts = row.paperKey.split(' ');
    const ourGroup = groupAxes.map((a) => row.labels[a]).join(' ');
    const paperGroup = groupAxes.map((a) => paperRowParts[table.rows.indexOf(a)]).join(' ');
    columns.forEach((column, j) => {
      // With no other row axis, a column axis (epochs) gives the groups and the panel is the evaluation.
      const byColumn = groupAxes.length === 0 && columnAxis !== undefined;
      const groupOurs = byColumn ? column.label : ourGroup || rowSeries;
      const groupPaper = byColumn ? column.paper : paperGroup || rowSeries;
      const group = groupPaper !== groupOurs ? `${groupOurs} (paper: ${groupPaper})` : groupOurs;
      const panel = byColumn ? column.evaluation : columnAxis ? `${column.label}` : column.paper !== column.label ? `${column.label} (paper: ${column.paper})` : column.label;
      const mine = cells.ours[i]![j];
      const theirs = cells.paper[i]![j];
      if (mine !== undefined) data.push({ group, series: rowSeries, panel, source: ours, value: mine });
      if (theirs !== undefined) data.push({ group, series: rowSeries, panel, source: PAPER_LABEL, value: theirs });
      add(groups, group);
      add(panels, panel);
      add(series, rowSeries);
    });
  });
  if (!data.some((d) => d.source === ours)) return undefined;
  const sources = data.some((d) => d.source === PAPER_LABEL) ? [ours, PAPER_LABEL] : [ours];
  const missingPaper = sources.length === 2 && data.filter((d) => d.source === PAPER_LABEL).length < data.filter((d) => d.source === ours).length;
  return {
    id: `table-${table.id}`,
    title: table.title,
    caption: [
      `${ours} in the top row${sources.length === 2 ? `, ${PAPER_LABEL} below` : '; the paper gives no number for this table'}.`,
      missingPaper ? 'Bars missing from the paper row are bars the paper draws without printing a number (none is made up here).' : '',
      ...(table.paperNotes ?? []),
    ]
      .filter(Boolean)
      .join(' '),
    spec: groupedBarSpec(data, {
      title: table.title,
      measure: measureOf(cells),
      groupTitle: groupAxes.length ? groupAxes.map((a) => AXIS_TITLES[a]).join(' · ') : columnAxis ? AXIS_TITLES[columnAxis] : '',
      seriesTitle: seriesAxis ? AXIS_TITLES[seriesAxis] : 'run',
      groups,
      series,
      panels,
      sources,
    }),
  };
}

/** The series (SP/AP) a run belongs to, for colours: its pairs label, else its label. */
function seriesOf(run: ReportRun): string {
  return run.axes.pairs ?? run.label;
}

/** Pre-training curves of every run that logged some: the loss, and the collapse monitor z_std when logged. */
export function curveFigures(runs: readonly ReportRun[]): Figure[] {
  const logged = runs.filter((r) => r.metrics.length > 0);
  if (!logged.length) return [];
  const series = [...new Set(logged.map(seriesOf))];
  const out: Figure[] = [];
  for (const [key, measure, caption] of [
    ['loss', 'loss', "Pre-training loss per logged step (metrics.jsonl). Losses of different methods are on different scales: each panel has its own y axis."],
    ['z_std', 'z_std', 'Per-dimension standard deviation of the L2-normalised embeddings; near 0 means the embeddings have collapsed to one point (1/√d for a healthy spread).'],
  ] as const) {
    const points: CurvePoint[] = logged.flatMap((r) =>
      r.metrics.filter((m) => typeof m[key] === 'number' && Number.isFinite(m[key])).map((m) => ({ run: r.label, series: seriesOf(r), step: m.step as number, value: m[key] as number })),
    );
    if (!points.length) continue;
    out.push({
      id: `curves-${key}`,
      title: key === 'loss' ? 'Pre-training loss' : 'Embedding spread (z_std)',
      caption,
      spec: curvesSpec(points, { title: key === 'loss' ? 'Pre-training loss' : 'Embedding spread (z_std)', measure, runs: logged.map((r) => r.label), series }),
    });
  }
  return out;
}

const NUMERIC_AXES: AxisName[] = ['epochs', 'perClass'];

/**
 * Accuracy against a numeric axis of the grid (epochs, images per class): how the gap between
 * SP and AP changes with training length or data size, one panel per evaluation.
 */
export function axisCurveFigures(experiment: ReportExperiment, runs: readonly ReportRun[]): Figure[] {
  const out: Figure[] = [];
  for (const axis of NUMERIC_AXES) {
    const values = experiment.axes.find((a) => a.name === axis)?.values ?? [];
    if (values.length < 2) continue;
    const evaluations = [...new Set(experiment.runs.flatMap((r) => r.evaluations.map((e) => e.name)))];
    const points: Array<{ x: number; series: string; panel: string; value: number }> = [];
    for (const evaluation of evaluations) {
      const grouped = new Map<string, number[]>();
      for (const run of runs) {
        const x = Number(run.axes[axis]);
        const value = run.evaluations[evaluation]?.top1;
        if (!Number.isFinite(x) || typeof value !== 'number') continue;
        const k = JSON.stringify([x, seriesOf(run), [run.axes.method, run.axes.ablation, run.axes.dataset].filter(Boolean).join(' ')]);
        grouped.set(k, [...(grouped.get(k) ?? []), value]);
      }
      for (const [k, v] of grouped) {
        const [x, series, other] = JSON.parse(k) as [number, string, string];
        points.push({ x, series: other ? `${other} ${series}` : series, panel: evaluation, value: v.reduce((a, b) => a + b, 0) / v.length });
      }
    }
    if (points.length < 2) continue;
    out.push({
      id: `by-${axis}`,
      title: `Top-1 accuracy by ${AXIS_TITLES[axis]}`,
      caption: `Linear-evaluation accuracy of the trained backbones against ${AXIS_TITLES[axis]} (${oursLabel(experiment.scale)}; mean over seeds).`,
      spec: axisCurveSpec(points, {
        title: `Top-1 accuracy by ${AXIS_TITLES[axis]}`,
        measure: 'top-1 accuracy (%)',
        axisTitle: AXIS_TITLES[axis],
        series: [...new Set(points.map((p) => p.series))],
        panels: evaluations.filter((e) => points.some((p) => p.panel === e)),
      }),
    });
  }
  return out;
}

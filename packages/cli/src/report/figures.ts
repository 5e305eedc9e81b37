import type { AxisName, ExpandedExperiment, ResultTable, TableSpec } from '@sempair/core';
import type { TopLevelSpec } from 'vega-lite';
import { axisCurveSpec, curvesSpec, groupedBarSpec, type BarDatum, type CurvePoint } from './charts.js';
import type { ReportRun } from './report-data.js';

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

function measureOf(table: ResultTable): string {
  const metrics = [...new Set(table.columns.map((c) => c.metric))];
  return metrics.length === 1 && metrics[0] === 'top1' ? 'top-1 accuracy (%)' : metrics.join(' / ');
}

/**
 * A results table as grouped bars, the shape of the paper's Figures 4 and 5: the table's
 * difference axis (SP vs AP) side by side in each group; groups from the other row axes
 * (methods, ablations) or, when there are none, from a column axis (epochs); one panel per
 * downstream dataset; a row of panels for the paper's published numbers where it gives some.
 * Where our value stands for another of the paper's (4 epochs for 200), the label says both.
 */
export function tableFigure(table: ResultTable, spec: TableSpec, experiment: Pick<ExpandedExperiment, 'axes' | 'scale'>): Figure | undefined {
  const seriesAxis: AxisName | undefined = spec.difference?.axis ?? (table.rowAxes.includes('pairs') ? 'pairs' : undefined);
  const seriesAt = seriesAxis ? table.rowAxes.indexOf(seriesAxis) : -1;
  const groupAxes = table.rowAxes.filter((a) => a !== seriesAxis);
  const columnAxis = 'axis' in spec.columns ? spec.columns.axis : undefined;
  const paperLabel = (axis: AxisName, label: string): string => experiment.axes.find((a) => a.name === axis)?.values.find((v) => v.label === label)?.paper ?? label;
  const both = (ours: string, paper: string): string => (paper !== ours ? `${ours} (paper: ${paper})` : ours);
  const ours = oursLabel(experiment.scale);
  const data: BarDatum[] = [];
  const groups: string[] = [];
  const panels: string[] = [];
  const series: string[] = [];
  const add = (list: string[], v: string): void => void (list.includes(v) || list.push(v));
  for (const row of table.rows.filter((r) => r.kind === 'runs')) {
    const rowSeries = seriesAt >= 0 ? row.labels[seriesAt]! : row.label;
    const others = table.rowAxes.map((axis, i) => [axis, row.labels[i]!] as const).filter(([axis]) => axis !== seriesAxis);
    const rowGroup = others.length ? both(others.map(([, l]) => l).join(' '), others.map(([a, l]) => paperLabel(a, l)).join(' ')) : undefined;
    table.columns.forEach((column, j) => {
      // With no other row axis, a column axis (epochs) gives the groups and the panel is the evaluation.
      const byColumn = !rowGroup && columnAxis !== undefined;
      const group = byColumn ? both(column.label, column.paper) : (rowGroup ?? rowSeries);
      const panel = byColumn ? column.evaluation : columnAxis ? column.label : both(column.label, column.paper);
      const cell = row.cells[j]!;
      if (cell.ours) data.push({ group, series: rowSeries, panel, source: ours, value: cell.ours.mean });
      if (cell.paper !== undefined) data.push({ group, series: rowSeries, panel, source: PAPER_LABEL, value: cell.paper });
      add(groups, group);
      add(panels, panel);
      add(series, rowSeries);
    });
  }
  if (!data.some((d) => d.source === ours)) return undefined;
  const sources = data.some((d) => d.source === PAPER_LABEL) ? [ours, PAPER_LABEL] : [ours];
  const missingPaper = sources.length === 2 && data.filter((d) => d.source === PAPER_LABEL).length < data.filter((d) => d.source === ours).length;
  return {
    id: `table-${table.id}`,
    title: table.title,
    caption: [
      `${ours} in the top row${sources.length === 2 ? `, ${PAPER_LABEL} below` : '; the paper gives no number for this result'}.`,
      missingPaper ? 'Bars missing from the paper row are bars the paper draws without printing a number (none is made up here).' : '',
      ...table.verdict,
      ...table.paperNotes.map((n) => `Paper: ${n}`),
    ]
      .filter(Boolean)
      .join(' '),
    spec: groupedBarSpec(data, {
      title: table.title,
      measure: measureOf(table),
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
  return run.run.axes.pairs ?? run.run.label;
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
      r.metrics.filter((m) => typeof m[key] === 'number' && Number.isFinite(m[key])).map((m) => ({ run: r.run.label, series: seriesOf(r), step: m.step as number, value: m[key] as number })),
    );
    if (!points.length) continue;
    out.push({
      id: `curves-${key}`,
      title: key === 'loss' ? 'Pre-training loss' : 'Embedding spread (z_std)',
      caption,
      spec: curvesSpec(points, { title: key === 'loss' ? 'Pre-training loss' : 'Embedding spread (z_std)', measure, runs: logged.map((r) => r.run.label), series }),
    });
  }
  return out;
}

const NUMERIC_AXES: AxisName[] = ['epochs', 'perClass'];

/**
 * Accuracy against a numeric axis of the grid (epochs, images per class): how the gap between
 * SP and AP changes with training length or data size, one panel per evaluation.
 */
export function axisCurveFigures(experiment: ExpandedExperiment, runs: readonly ReportRun[]): Figure[] {
  const out: Figure[] = [];
  for (const axis of NUMERIC_AXES) {
    const values = experiment.axes.find((a) => a.name === axis)?.values ?? [];
    if (values.length < 2) continue;
    const evaluations = [...new Set(experiment.runs.flatMap((r) => r.evaluations.map((e) => e.name)))];
    const points: Array<{ x: number; series: string; panel: string; value: number }> = [];
    for (const evaluation of evaluations) {
      const grouped = new Map<string, number[]>();
      for (const run of runs) {
        if (run.run.baseline) continue; // no position on the axis
        const x = Number(run.run.axes[axis]);
        const value = run.evaluations[evaluation]?.metrics.top1;
        if (!Number.isFinite(x) || typeof value !== 'number') continue;
        const k = JSON.stringify([x, seriesOf(run), [run.run.axes.method, run.run.axes.ablation, run.run.axes.dataset].filter(Boolean).join(' ')]);
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

import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Charts of `sempair report`: Vega-Lite specs rendered to SVG in this process (vega's
 * headless View, no browser, no canvas), every mark and font inline, nothing fetched.
 */

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
/** SP and AP keep their colours across every chart (the paper's blue and orange). */
export const SERIES_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

const CONFIG = {
  font: FONT,
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  header: { labelFontSize: 12, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' as const },
  range: { category: SERIES_COLOURS },
};

/** Renders a Vega-Lite spec to an SVG document (with its xmlns, so it stands alone as a file). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: vega } = compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec);
  // No loader: every chart carries its data inline.
  const view = new View(parse(vega), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** One bar: a group on the x axis (a method, an ablation), its series (SP/AP), a panel (downstream dataset), where the number comes from. */
export interface BarDatum {
  group: string;
  series: string;
  panel: string;
  /** "ours · cpu scale" or "paper". */
  source: string;
  value: number;
}

export interface BarChartOptions {
  title: string;
  /** y axis title, e.g. "top-1 accuracy (%)". */
  measure: string;
  /** x axis title (the axis the groups come from). */
  groupTitle: string;
  seriesTitle: string;
  /** Order of groups, series, panels and sources as the experiment lists them. */
  groups: string[];
  series: string[];
  panels: string[];
  sources: string[];
}

/**
 * Grouped bars in the shape of the paper's Figures 4 and 5: one panel per downstream dataset
 * (columns), one row of panels per source (ours at reduced scale, the paper's published
 * numbers), groups on x (methods, ablations), SP and AP side by side, values printed on the bars.
 */
export function groupedBarSpec(data: BarDatum[], o: BarChartOptions): TopLevelSpec {
  const barWidth = o.groups.length * o.series.length > 12 ? 14 : 22;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: o.title,
    data: { values: data.map((d) => ({ ...d, shown: d.value.toFixed(1) })) },
    facet: {
      column: { field: 'panel', type: 'nominal', sort: o.panels, title: null },
      row: { field: 'source', type: 'nominal', sort: o.sources, title: null, header: { labelAngle: 0, labelAlign: 'left' } },
    },
    spec: {
      // Wide enough for the panel's title even with one group.
      width: Math.max(170, o.groups.length * (barWidth * o.series.length + 12)),
      height: 180,
      encoding: {
        x: { field: 'group', type: 'nominal', sort: o.groups, title: o.groupTitle, axis: { labelAngle: o.groups.some((g) => g.length > 8) ? -30 : 0 } },
        xOffset: { field: 'series', type: 'nominal', sort: o.series },
        y: { field: 'value', type: 'quantitative', title: o.measure, scale: { zero: true } },
        color: { field: 'series', type: 'nominal', sort: o.series, title: o.seriesTitle },
      },
      layer: [
        { mark: { type: 'bar', tooltip: true } },
        { mark: { type: 'text', dy: -6, fontSize: 9, color: '#333' }, encoding: { text: { field: 'shown', type: 'nominal' } } },
      ],
    },
  } as TopLevelSpec;
}

/** One point of a curve. */
export interface CurvePoint {
  run: string;
  series: string;
  step: number;
  value: number;
}

/** Training curves in small multiples: one panel per run, coloured by its series (SP/AP). */
export function curvesSpec(points: CurvePoint[], o: { title: string; measure: string; runs: string[]; series: string[]; columns?: number }): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: o.title,
    data: { values: points },
    facet: { field: 'run', type: 'nominal', sort: o.runs, title: null },
    columns: o.columns ?? 4,
    spec: {
      width: 200,
      height: 120,
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'value', type: 'quantitative', title: o.measure, scale: { zero: false } },
        color: { field: 'series', type: 'nominal', sort: o.series, title: null },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

/** A metric against a numeric axis of the grid (epochs, images per class), one line per series. */
export function axisCurveSpec(points: Array<{ x: number; series: string; panel: string; value: number }>, o: { title: string; measure: string; axisTitle: string; series: string[]; panels: string[] }): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: o.title,
    data: { values: points },
    facet: { column: { field: 'panel', type: 'nominal', sort: o.panels, title: null } },
    spec: {
      width: 220,
      height: 160,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: o.axisTitle },
        y: { field: 'value', type: 'quantitative', title: o.measure, scale: { zero: false } },
        color: { field: 'series', type: 'nominal', sort: o.series, title: null },
      },
    },
  } as TopLevelSpec;
}

import type { AxisName, TableSpec } from '@sempair/core';

/** A grid axis and its values' labels (with the paper's label where a value stands for one). */
export interface ReportAxis {
  name: AxisName;
  values: Array<{ label: string; paper?: string }>;
}

/** What the report knows of one run: where it sits in the grid and what it measured. */
export interface RunFacts {
  id: string;
  label: string;
  axes: Partial<Record<AxisName, string>>;
  /** Metrics by evaluation name (eval/<name>.json), for evaluations that have a result. */
  evaluations: Record<string, Record<string, number>>;
}

export interface TableColumn {
  label: string;
  /** The paper's column label it stands for (a reduced-scale stand-in keeps the paper's name here). */
  paper: string;
  evaluation: string;
  metric: string;
  /** For a column per axis value: that axis and value. */
  axis?: { name: AxisName; value: string };
}

export interface TableRow {
  /** Row labels joined by " " (how TableSpec.paper keys rows). */
  key: string;
  labels: Partial<Record<AxisName, string>>;
  /** The same with the paper's labels of the axis values. */
  paperKey: string;
}

/** A results table's numbers: ours (mean over seeds), how many runs each mean has, the paper's. */
export interface TableCells {
  table: TableSpec;
  columns: TableColumn[];
  rows: TableRow[];
  ours: Array<Array<number | undefined>>;
  runs: number[][];
  paper: Array<Array<number | undefined>>;
}

function labelsOf(axes: readonly ReportAxis[], name: AxisName): Array<{ label: string; paper?: string }> {
  return axes.find((a) => a.name === name)?.values ?? [];
}

/**
 * The cells of one results table, as `sempair results` lays it out: a row per combination of
 * the row axes' labels (in the grid's order), a column per metric or per value of the column
 * axis, each cell the mean over the runs there (seeds), and the paper's number where it has one.
 */
export function tableCells(table: TableSpec, axes: readonly ReportAxis[], runs: readonly RunFacts[]): TableCells {
  const where = Object.entries(table.where ?? {}) as Array<[AxisName, string]>;
  const chosen = runs.filter((r) => where.every(([axis, label]) => r.axes[axis] === label));
  const columns: TableColumn[] =
    'axis' in table.columns
      ? (() => {
          const c = table.columns;
          return labelsOf(axes, c.axis).map((v) => ({
            label: v.label,
            paper: v.paper ?? v.label,
            evaluation: c.evaluation,
            metric: c.metric ?? 'top1',
            axis: { name: c.axis, value: v.label },
          }));
        })()
      : table.columns.metrics.map((m) => {
          const label = m.label ?? `${m.evaluation} ${m.metric ?? 'top1'}`;
          // MetricRef.paper: the paper's column a reduced-scale stand-in is for.
          const paper = (m as { paper?: string }).paper;
          return { label, paper: paper ?? label, evaluation: m.evaluation, metric: m.metric ?? 'top1' };
        });
  // Rows: every combination of the row axes' values that some chosen run has, in grid order.
  let combos: Array<Array<{ label: string; paper?: string }>> = [[]];
  for (const axis of table.rows) combos = combos.flatMap((c) => labelsOf(axes, axis).map((v) => [...c, v]));
  const rows: TableRow[] = combos
    .map((combo) => ({
      key: combo.map((v) => v.label).join(' '),
      labels: Object.fromEntries(table.rows.map((axis, i) => [axis, combo[i]!.label])) as Partial<Record<AxisName, string>>,
      paperKey: combo.map((v) => v.paper ?? v.label).join(' '),
    }))
    .filter((row) => chosen.some((r) => table.rows.every((axis) => r.axes[axis] === row.labels[axis])));
  const ours = rows.map(() => columns.map((): number | undefined => undefined));
  const counts = rows.map(() => columns.map(() => 0));
  rows.forEach((row, i) => {
    columns.forEach((column, j) => {
      const values = chosen
        .filter((r) => table.rows.every((axis) => r.axes[axis] === row.labels[axis]) && (!column.axis || r.axes[column.axis.name] === column.axis.value))
        .map((r) => r.evaluations[column.evaluation]?.[column.metric])
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      counts[i]![j] = values.length;
      if (values.length) ours[i]![j] = values.reduce((a, b) => a + b, 0) / values.length;
    });
  });
  const paper = rows.map((row) => columns.map((column) => table.paper?.[row.paperKey]?.[column.paper]));
  return { table, columns, rows, ours, runs: counts, paper };
}

import type { ExpandedExperiment } from './expanded-experiment.js';
import type { AxisName, TableSpec } from './experiment-spec.js';
import type { RunRecord } from './run-records.js';

/** Our number for a cell: the mean over the runs that have one (seeds), their spread and count. */
export interface CellValue {
  mean: number;
  /** Sample standard deviation, when two or more runs gave a value. */
  std?: number;
  n: number;
}

export interface ResultCell {
  ours?: CellValue;
  /** Why there is no number, or not all of them (`not run`, `running (step 40/88)`, `1 of 2 seeds`). */
  status?: string;
  /** The paper's number for this cell, if it publishes one. */
  paper?: number;
}

export interface ResultColumn {
  /** Our label (an axis value or a metric's label). */
  label: string;
  /** The paper's label of the column it stands for. */
  paper: string;
  evaluation: string;
  metric: string;
}

export interface ResultRow {
  /** `baseline`: an untrained backbone's numbers ("random init"), never in a difference and never given the paper's. */
  kind: 'runs' | 'difference' | 'baseline';
  /** Shown in the first column: "SP", "simclr AP", "crop only: SP − AP", "random init". */
  label: string;
  /** Labels of the row axes (for difference rows: the shared axes, then "a − b"; for baseline rows: the label). */
  labels: string[];
  cells: ResultCell[];
}

/** One table of `sempair results`: the paper's layout, our numbers and the paper's side by side. */
export interface ResultTable {
  id: string;
  title: string;
  /** The experiment's scale: "paper", or a reduced one ("cpu") whose numbers are not the paper's. */
  scale: string;
  rowAxes: AxisName[];
  columns: ResultColumn[];
  rows: ResultRow[];
  /** The paper's remarks on this result that are not cells. */
  paperNotes: string[];
  /**
   * Plain statements about what was measured here: the SP − AP (a − b) differences, negative
   * ones named; with a baseline, whether the pre-trained cells beat random init, those that do
   * not named.
   */
  verdict: string[];
  /** Runs (and baselines) of the table not finished yet, and their state. */
  missing: Array<{ id: string; label: string; state: string }>;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function describeState(record: RunRecord): string {
  switch (record.state) {
    case 'not run':
      return 'not run';
    case 'running':
      return `running (step ${record.step ?? 0}/${record.totalSteps ?? '?'})`;
    case 'aborted':
      return `interrupted at step ${record.step ?? 0}/${record.totalSteps ?? '?'}`;
    case 'completed':
      return 'not evaluated';
    default:
      return record.state;
  }
}

function summarize(values: number[]): CellValue | undefined {
  if (!values.length) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length === 1) return { mean, n: 1 };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance), n: values.length };
}

/** A cell from the runs that fall in it. */
function cellOf(records: RunRecord[], evaluation: string, metric: string): ResultCell {
  const values = records.map((r) => r.evaluations[evaluation]?.metrics[metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const ours = summarize(values);
  if (records.length === 0) return { status: 'not in the grid' };
  if (ours && values.length === records.length) return { ours };
  const pending = records.filter((r) => typeof r.evaluations[evaluation]?.metrics[metric] !== 'number');
  const states = [...new Set(pending.map(describeState))];
  const status = ours ? `${values.length} of ${records.length} runs; ${states.join(', ')}` : states.join(', ');
  return ours ? { ours, status } : { status };
}

/**
 * The paper's tables from the run records of an expanded experiment. Rows follow the order of
 * the grid's axis values; runs that differ only in seed share a cell (mean ± sd). Difference
 * rows (a − b) follow each group; a negative difference is shown as it is and named in the
 * verdict, never hidden. Baselines of the table's runs come last as "random init" rows (one per
 * architecture, seeds averaged); pre-trained cells that do not beat theirs are named.
 */
export function buildResultTables(experiment: ExpandedExperiment, records: RunRecord[]): ResultTable[] {
  return experiment.tables.map((spec) => buildTable(experiment, spec, records));
}

function buildTable(experiment: ExpandedExperiment, spec: TableSpec, allRecords: RunRecord[]): ResultTable {
  const axisValues = new Map(experiment.axes.map((a) => [a.name, a.values]));
  const paperLabel = (axis: AxisName, label: string): string => axisValues.get(axis)?.find((v) => v.label === label)?.paper ?? label;
  const records = allRecords.filter((r) => !r.run.baseline && Object.entries(spec.where ?? {}).every(([axis, label]) => r.run.axes[axis as AxisName] === label));
  // The baselines of the table's runs, and each run's.
  const inTable = new Set(records.map((r) => r.run.id));
  const baselines = allRecords.filter((r) => r.run.baseline?.runs.some((id) => inTable.has(id)));
  const baselineOf = new Map(baselines.flatMap((b) => b.run.baseline!.runs.map((id) => [id, b] as const)));

  const columnsSpec = spec.columns;
  const columns: ResultColumn[] =
    'metrics' in columnsSpec
      ? columnsSpec.metrics.map((m) => {
          const metric = m.metric ?? 'top1';
          const label = m.label ?? `${m.evaluation} ${metric.replace(/^top(\d)$/, 'top-$1')}`;
          return { label, paper: m.paper ?? label, evaluation: m.evaluation, metric };
        })
      : (axisValues.get(columnsSpec.axis) ?? []).map((v) => ({
          label: v.label,
          paper: v.paper ?? v.label,
          evaluation: columnsSpec.evaluation,
          metric: columnsSpec.metric ?? 'top1',
        }));
  const columnAxis = 'metrics' in columnsSpec ? undefined : columnsSpec.axis;

  // Row keys: every combination of the row axes' labels that some run has, in grid order.
  const combos: string[][] = [];
  const order = (axis: AxisName, label: string): number => (axisValues.get(axis) ?? []).findIndex((v) => v.label === label);
  for (const r of records) {
    const labels = spec.rows.map((a) => r.run.axes[a] ?? '');
    if (!combos.some((c) => c.every((l, i) => l === labels[i]))) combos.push(labels);
  }
  combos.sort((x, y) => {
    for (let i = 0; i < spec.rows.length; i++) {
      const d = order(spec.rows[i]!, x[i]!) - order(spec.rows[i]!, y[i]!);
      if (d) return d;
    }
    return 0;
  });

  const runsAt = (labels: string[], column: ResultColumn): RunRecord[] =>
    records.filter((r) => spec.rows.every((a, i) => r.run.axes[a] === labels[i]) && (!columnAxis || r.run.axes[columnAxis] === column.label));
  const paperOf = (labels: string[], column: ResultColumn): number | undefined =>
    spec.paper?.[spec.rows.map((a, i) => paperLabel(a, labels[i]!)).join(' ')]?.[column.paper];

  const runRow = (labels: string[]): ResultRow => ({
    kind: 'runs',
    label: labels.join(' '),
    labels,
    cells: columns.map((c) => {
      const cell = cellOf(runsAt(labels, c), c.evaluation, c.metric);
      const paper = paperOf(labels, c);
      return paper !== undefined ? { ...cell, paper } : cell;
    }),
  });

  const rows: ResultRow[] = [];
  const verdictCells: Array<{ where: string; value: number }> = [];
  const diff = spec.difference;
  if (!diff) {
    rows.push(...combos.map(runRow));
  } else {
    const k = spec.rows.indexOf(diff.axis);
    const groupKey = (labels: string[]): string => labels.filter((_, i) => i !== k).join('\u0000');
    const groups: string[][][] = [];
    for (const c of combos) {
      const g = groups.find((gr) => groupKey(gr[0]!) === groupKey(c));
      if (g) g.push(c);
      else groups.push([c]);
    }
    for (const group of groups) {
      const built = group.map(runRow);
      rows.push(...built);
      const a = built.find((r) => r.labels[k] === diff.a);
      const b = built.find((r) => r.labels[k] === diff.b);
      if (!a || !b) continue;
      const shared = group[0]!.filter((_, i) => i !== k);
      const label = `${shared.length ? `${shared.join(' ')}: ` : ''}${diff.a} − ${diff.b}`;
      const cells = columns.map((c, j): ResultCell => {
        const ca = a.cells[j]!;
        const cb = b.cells[j]!;
        const cell: ResultCell = {};
        if (ca.ours && cb.ours) {
          cell.ours = { mean: ca.ours.mean - cb.ours.mean, n: Math.min(ca.ours.n, cb.ours.n) };
          verdictCells.push({ where: `${shared.length ? `${shared.join(' ')}, ` : ''}${c.label}`, value: cell.ours.mean });
        } else cell.status = 'needs both';
        if (ca.paper !== undefined && cb.paper !== undefined) cell.paper = round2(ca.paper - cb.paper);
        return cell;
      });
      rows.push({ kind: 'difference', label, labels: [...shared, `${diff.a} − ${diff.b}`], cells });
    }
  }

  // Random init: a row per architecture (seeds averaged), each column from the baselines of the runs in it.
  const architectures = [...new Set(baselines.map((b) => b.run.baseline!.architecture))];
  for (const architecture of architectures) {
    const label = `random init${architecture ? ` (${architecture})` : ''}`;
    const cells = columns.map((c) => {
      const ofColumn = records.filter((r) => !columnAxis || r.run.axes[columnAxis] === c.label).map((r) => baselineOf.get(r.run.id));
      const chosen = [...new Set(ofColumn)].filter((b): b is RunRecord => b !== undefined && b.run.baseline!.architecture === architecture);
      return chosen.length ? cellOf(chosen, c.evaluation, c.metric) : { status: 'not in the grid' };
    });
    rows.push({ kind: 'baseline', label, labels: [label], cells });
  }

  const scale = experiment.scale === 'paper' ? 'at the paper’s settings' : experiment.scale === 'custom' ? 'here' : `at ${experiment.scale} scale`;
  const verdict: string[] = [];
  if (diff && verdictCells.length) {
    const below = verdictCells.filter((c) => c.value <= 0);
    const n = verdictCells.length;
    if (below.length === 0) verdict.push(`${diff.a} beats ${diff.b} in ${allCells(n)} measured ${scale}.`);
    else {
      const named = below.map((c) => `${c.where} ${c.value === 0 ? '±0.00' : `−${Math.abs(c.value).toFixed(2)}`}`).join('; ');
      verdict.push(`${diff.a} does not beat ${diff.b} in ${below.length} of ${n} cell${n === 1 ? '' : 's'} measured ${scale}: ${named}.`);
    }
  }
  const columnName = (c: ResultColumn): string => (columnAxis ? `${columnAxis} ${c.label}` : c.label);
  const againstBaseline = baselineVerdict(rows.filter((r) => r.kind === 'runs'), columns, columnName, scale, (row, column) => {
    // The random-init number the runs of this cell stand beside: the mean of their baselines'.
    const values = [...new Set(runsAt(row.labels, column).map((r) => baselineOf.get(r.run.id)))].map((b) => b && cellOf([b], column.evaluation, column.metric).ours?.mean);
    return values.length && values.every((v): v is number => v !== undefined) ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
  });
  if (againstBaseline) verdict.push(againstBaseline);
  const missing = [...records, ...baselines].filter((r) => r.state !== 'completed' || r.run.evaluations.some((e) => !r.evaluations[e.name])).map((r) => ({ id: r.run.id, label: r.run.label, state: describeState(r) }));
  return {
    id: spec.id,
    title: spec.title,
    scale: experiment.scale,
    rowAxes: spec.rows,
    columns,
    rows,
    paperNotes: spec.paperNotes ?? [],
    verdict,
    missing,
  };
}

/**
 * The note on pre-trained cells against random init, undefined when no cell has both numbers:
 * "Below random init at cpu scale: 2 of 6 pre-trained cells — SP (shifted scenes 17.90 vs 20.50); …",
 * or that every one beats it. A cell equal to its baseline counts as not beating it.
 */
function baselineVerdict(
  rows: ResultRow[],
  columns: ResultColumn[],
  columnName: (c: ResultColumn) => string,
  scale: string,
  baselineAt: (row: ResultRow, column: ResultColumn) => number | undefined,
): string | undefined {
  const compared: Array<{ row: string; column: string; ours: number; baseline: number }> = [];
  for (const row of rows) {
    row.cells.forEach((cell, j) => {
      const column = columns[j]!;
      const baseline = cell.ours ? baselineAt(row, column) : undefined;
      if (cell.ours && baseline !== undefined) compared.push({ row: row.label || 'pre-trained', column: columnName(column), ours: cell.ours.mean, baseline });
    });
  }
  const n = compared.length;
  if (n === 0) return undefined;
  const below = compared.filter((c) => c.ours <= c.baseline);
  if (below.length === 0) return `Pre-training beats random init in ${allCells(n)} measured ${scale}.`;
  const byRow = new Map<string, string[]>();
  for (const c of below) byRow.set(c.row, [...(byRow.get(c.row) ?? []), `${c.column} ${c.ours.toFixed(2)} vs ${c.baseline.toFixed(2)}`]);
  const named = [...byRow].map(([row, cells]) => `${row} (${cells.join(', ')})`).join('; ');
  const how = below.some((c) => c.ours === c.baseline) ? 'Not above random init' : 'Below random init';
  const count = below.length === n ? (n === 1 ? 'the one pre-trained cell' : `all ${n} pre-trained cells`) : `${below.length} of ${n} pre-trained cells`;
  return `${how} ${scale}: ${count} — ${named}.`;
}

/** 'the one cell', 'both cells', 'all 5 cells'. */
function allCells(n: number): string {
  return n === 1 ? 'the one cell' : n === 2 ? 'both cells' : `all ${n} cells`;
}

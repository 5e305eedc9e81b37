import { PAPER, type ResultCell, type ResultTable } from '@sempair/core';
import { renderTable } from '../tables.js';

export const RESULT_FORMATS = ['table', 'markdown', 'csv', 'json'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

export interface ResultsContext {
  experiment: string;
  description: string;
  scale: string;
  dir: string;
}

function hasPaper(table: ResultTable): boolean {
  return table.rows.some((r) => r.cells.some((c) => c.paper !== undefined)) || table.paperNotes.length > 0;
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`;
}

/** Our number: "62.50", "62.50 ± 1.20 (n=3)", a signed difference, or why there is none: "— (not run)". */
export function showOurs(cell: ResultCell, difference: boolean): string {
  if (!cell.ours) return `— (${cell.status ?? 'no result'})`;
  const { mean, std, n } = cell.ours;
  let text = difference ? signed(mean) : mean.toFixed(2);
  if (std !== undefined) text += ` ± ${std.toFixed(2)}`;
  if (n > 1) text += ` (n=${n})`;
  if (cell.status) text += ` [${cell.status}]`;
  return text;
}

export function showPaper(cell: ResultCell, difference: boolean): string {
  if (cell.paper === undefined) return '—';
  return difference ? signed(cell.paper) : cell.paper.toFixed(2);
}

/** Column headers: ours and, when the paper has numbers for the table, the paper's beside each. */
function headers(table: ResultTable): string[] {
  const ours = table.scale === 'paper' || table.scale === 'custom' ? 'ours' : `ours, ${table.scale} scale`;
  const first = table.rowAxes.join(' / ') || 'run';
  const paper = hasPaper(table);
  return [
    first,
    ...table.columns.flatMap((c) => [
      `${c.label} (${ours})`,
      ...(paper ? [`${c.paper} (paper)`] : []),
    ]),
  ];
}

function bodyRows(table: ResultTable): string[][] {
  const paper = hasPaper(table);
  return table.rows.map((row) => [
    row.label,
    ...row.cells.flatMap((cell) => [showOurs(cell, row.kind === 'difference'), ...(paper ? [showPaper(cell, row.kind === 'difference')] : [])]),
  ]);
}

/** The lines under a table: what scale the numbers are, the verdict, the paper's remarks, what is missing. */
function footer(table: ResultTable, context: ResultsContext): string[] {
  const lines: string[] = [];
  if (!hasPaper(table)) lines.push(`Ours: ${table.scale === 'custom' ? '' : `${table.scale} scale, `}${context.description}.`);
  else if (table.scale !== 'paper') {
    lines.push(
      `Ours: ${table.scale} scale (${context.description}). Reduced-scale numbers: not comparable in value to the paper's; compare the sign of the difference. Paper: ${PAPER.citation}.`,
    );
  } else lines.push(`Ours: the paper's settings. Paper: ${PAPER.citation}.`);
  lines.push(...table.verdict);
  for (const note of table.paperNotes) lines.push(`Paper: ${note}`);
  if (table.missing.length) {
    const counts = new Map<string, number>();
    for (const m of table.missing) {
      const state = m.state.replace(/ \(.*\)$/, '').replace(/ at step .*/, '');
      counts.set(state, (counts.get(state) ?? 0) + 1);
    }
    lines.push(`Missing: ${table.missing.length} run${table.missing.length === 1 ? '' : 's'} (${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}).`);
  }
  return lines;
}

function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function markdownTable(table: ResultTable, context: ResultsContext): string {
  const head = headers(table);
  const rows = bodyRows(table);
  const line = (cells: string[]): string => `| ${cells.map(markdownCell).join(' | ')} |`;
  return [
    `### ${table.title}`,
    '',
    line(head),
    line(head.map((_, i) => (i === 0 ? '---' : '---:'))),
    ...rows.map((r, i) => {
      const kind = table.rows[i]!.kind;
      // Difference rows bold; the random-init baseline's label in italics.
      return line(kind === 'difference' ? r.map((c) => `**${c}**`) : kind === 'baseline' ? [`*${r[0]}*`, ...r.slice(1)] : r);
    }),
    '',
    ...footer(table, context).map((l) => `${l}  `),
  ].join('\n');
}

function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const CSV_HEADER = ['experiment', 'scale', 'table', 'row', 'kind', 'column', 'paper_column', 'evaluation', 'metric', 'ours', 'ours_std', 'n', 'status', 'paper'];

/** One line per cell (long format): what spreadsheets and plotting scripts read. */
function csvLines(table: ResultTable, context: ResultsContext): string[] {
  return table.rows.flatMap((row) =>
    row.cells.map((cell, j) => {
      const c = table.columns[j]!;
      return [context.experiment, table.scale, table.id, row.label, row.kind, c.label, c.paper, c.evaluation, c.metric, cell.ours?.mean, cell.ours?.std, cell.ours?.n, cell.status, cell.paper]
        .map(csvField)
        .join(',');
    }),
  );
}

/** The tables in the chosen format, ready to print. */
export function formatResults(tables: ResultTable[], format: ResultFormat, context: ResultsContext): string {
  switch (format) {
    case 'json':
      return JSON.stringify({ ...context, tables });
    case 'csv':
      return [CSV_HEADER.join(','), ...tables.flatMap((t) => csvLines(t, context))].join('\n');
    case 'markdown':
      return [`## ${context.experiment} (${context.scale} scale)`, ...tables.map((t) => markdownTable(t, context))].join('\n\n');
    case 'table':
      return tables.map((t) => [t.title, renderTable(headers(t), bodyRows(t)), ...footer(t, context)].join('\n')).join('\n\n');
  }
}

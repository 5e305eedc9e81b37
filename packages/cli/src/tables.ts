import Table from 'cli-table3';

export type Cell = string | number | undefined;

// Key–value tables need no rule between rows; tables with a header keep cli-table3's rules.
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/** Terminal width, or a wide default for pipes and CI logs. */
function maxWidth(): number {
  return process.stdout.columns && process.stdout.columns > 40 ? process.stdout.columns : 140;
}

/**
 * Column widths that fit the terminal: narrow columns keep their natural width, the widest
 * ones shrink (cli-table3 then wraps their text on word boundaries). Undefined when it fits.
 */
function fitWidths(rows: string[][]): number[] | undefined {
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(3, ...rows.map((r) => Math.max(...String(r[c] ?? '').split('\n').map((l) => l.length)) + 2)),
  );
  const budget = maxWidth() - (columns + 1);
  if (widths.reduce((a, b) => a + b, 0) <= budget) return undefined;
  while (widths.reduce((a, b) => a + b, 0) > budget) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= 12) break;
    widths[widest]!--;
  }
  return widths;
}

function layout(rows: string[][]): { colWidths?: number[]; wordWrap?: boolean; wrapOnWordBoundary?: boolean } {
  const colWidths = fitWidths(rows);
  return colWidths ? { colWidths, wordWrap: true, wrapOnWordBoundary: true } : {};
}

/**
 * A plain cli-table3 table (no colour codes, so it reads the same in a terminal, a log file
 * and a CI page), fitted to the terminal width. Numbers are right-aligned.
 */
export function renderTable(head: string[], rows: Cell[][]): string {
  const text = rows.map((row) => row.map((cell) => (cell === undefined ? '–' : String(cell))));
  const table = new Table({ head, style: { head: [], border: [] }, ...layout([head, ...text]) });
  for (const row of rows) {
    table.push(row.map((cell) => (typeof cell === 'number' ? { content: String(cell), hAlign: 'right' as const } : (cell ?? '–'))));
  }
  return table.toString();
}

/** Key–value table, e.g. a method's training defaults. */
export function renderPairs(pairs: Array<[string, Cell]>): string {
  const text = pairs.map(([key, value]) => [key, value === undefined ? '–' : String(value)]);
  const table = new Table({ chars: COMPACT, style: { head: [], border: [] }, ...layout(text) });
  for (const [key, value] of text) table.push([key!, value!]);
  return table.toString();
}

/** A value from a config or schema, as a person would write it on the command line. */
export function showValue(value: unknown): string {
  if (value === undefined) return '–';
  if (Array.isArray(value)) return value.map(showValue).join(',');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  if (typeof value === 'number' && !Number.isInteger(value)) return String(Number(value.toPrecision(4)));
  return String(value);
}

/** Accuracies (evaluators report them in percent) with two decimals; other numbers with four. */
export function showMetric(name: string, value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return value === undefined ? '–' : String(value);
  return /top\d|acc|^ap/i.test(name) ? value.toFixed(2) : Number(value.toFixed(4)).toString();
}

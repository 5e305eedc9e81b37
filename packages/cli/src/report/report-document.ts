import type { Environment, ReportExperiment, ReportRun } from './report-data.js';
import { oursLabel, PAPER_LABEL } from './figures.js';
import type { PairSheet } from './pair-sheets.js';
import type { TableCells } from './table-cells.js';

/** Everything a report shows, rendered (charts as SVG text), ready for HTML or Markdown. */
export interface ReportContent {
  experiment: Pick<ReportExperiment, 'id' | 'description' | 'scale' | 'dir'>;
  generatedAt: string;
  runs: ReportRun[];
  tables: TableCells[];
  figures: Array<{ id: string; title: string; caption: string; svg: string }>;
  sheets: PairSheet[];
  environment: Environment;
  citation?: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (text: unknown): string => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
const fmt = (v: number | undefined, digits = 2): string => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const signed = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`;

/** SVG for inlining in HTML: without the XML namespace attributes HTML does not need. */
function inlineSvg(svg: string): string {
  return svg.replace(/^<svg\b[^>]*?>/, (open) => open.replace(/\s+xmlns(:xlink)?="[^"]*"/g, '').replace('<svg', '<svg role="img"'));
}

/** The difference rows (a − b) of a table: one per group of the other row axes, per column. */
interface Difference {
  label: string;
  /** What SP must beat, said plainly: "SP does not beat AP for vicreg". */
  shortfall: string;
  values: Array<number | undefined>;
  paper: Array<number | undefined>;
}

export function differences(cells: TableCells): Difference[] {
  const d = cells.table.difference;
  if (!d) return [];
  const others = cells.table.rows.filter((a) => a !== d.axis);
  const groups = [...new Set(cells.rows.map((r) => others.map((a) => r.labels[a]).join(' ')))];
  const out: Difference[] = [];
  for (const group of groups) {
    const find = (label: string): number => cells.rows.findIndex((r) => r.labels[d.axis] === label && others.map((a) => r.labels[a]).join(' ') === group);
    const ia = find(d.a);
    const ib = find(d.b);
    if (ia < 0 || ib < 0) continue;
    const minus = (x: Array<Array<number | undefined>>): Array<number | undefined> => cells.columns.map((_, j) => (x[ia]![j] !== undefined && x[ib]![j] !== undefined ? x[ia]![j]! - x[ib]![j]! : undefined));
    out.push({
      label: `${group ? `${group} ` : ''}${d.a} − ${d.b}`,
      shortfall: `${d.a} does not beat ${d.b}${group ? ` for ${group}` : ''}`,
      values: minus(cells.ours),
      paper: minus(cells.paper),
    });
  }
  return out;
}

function htmlTable(cells: TableCells, scale: string): string {
  const head = `<tr><th></th>${cells.columns.map((c) => `<th colspan="2">${esc(c.label)}${c.paper !== c.label ? ` <span class="muted">(paper: ${esc(c.paper)})</span>` : ''}</th>`).join('')}</tr>` +
    `<tr><th></th>${cells.columns.map(() => `<th class="ours">${esc(oursLabel(scale))}</th><th class="paper">${esc(PAPER_LABEL)}</th>`).join('')}</tr>`;
  const body = cells.rows
    .map((row, i) => `<tr><th>${esc(row.key)}${row.paperKey !== row.key ? ` <span class="muted">(paper: ${esc(row.paperKey)})</span>` : ''}</th>${cells.columns.map((_, j) => `<td class="ours">${fmt(cells.ours[i]![j])}${cells.runs[i]![j]! > 1 ? `<span class="muted"> (${cells.runs[i]![j]} runs)</span>` : ''}</td><td class="paper">${fmt(cells.paper[i]![j])}</td>`).join('')}</tr>`)
    .join('\n');
  const diffs = differences(cells)
    .map((d) => {
      return `<tr class="diff"><th>${esc(d.label)}</th>${cells.columns.map((_, j) => `<td class="ours ${d.values[j] !== undefined && d.values[j]! < 0 ? 'neg' : ''}">${d.values[j] === undefined ? '–' : signed(d.values[j]!)}</td><td class="paper">${d.paper[j] === undefined ? '–' : signed(d.paper[j]!)}</td>`).join('')}</tr>` +
        (d.values.some((v) => v !== undefined && v < 0) ? `<tr class="note"><td colspan="${1 + 2 * cells.columns.length}">At this scale ${esc(d.shortfall)} everywhere: the negative differences are shown as measured.</td></tr>` : '');
    })
    .join('\n');
  const notes = (cells.table.paperNotes ?? []).map((n) => `<p class="muted">Paper: ${esc(n)}</p>`).join('');
  return `<h3>${esc(cells.table.title)}</h3><table class="results">${head}\n${body}\n${diffs}</table>${notes}`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#222;max-width:1200px;margin:2em auto;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.banner{background:#fff4e5;border:1px solid #f0c36d;padding:.6em 1em;border-radius:4px}
.muted{color:#777;font-weight:normal}table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.25em .6em;text-align:right}th{background:#f7f7f7}th:first-child{text-align:left}
td.paper{color:#555;background:#fafafa}tr.diff td,tr.diff th{font-weight:bold}td.neg{color:#b00020}
tr.note td{text-align:left;color:#b00020;font-size:.9em}figure{margin:1.5em 0}figcaption{color:#555;max-width:900px}
.sheet img{image-rendering:pixelated;max-width:100%;border:1px solid #ccc}code{background:#f3f3f3;padding:0 .2em}
`;

/** One self-contained HTML page: styles, charts (inline SVG) and pair sheets (base64 PNG) inside, nothing fetched. */
export function renderHtml(report: ReportContent): string {
  const { experiment: e } = report;
  const finished = report.runs.filter((r) => r.state === 'completed' && r.missing.length === 0).length;
  const missing = report.runs.filter((r) => r.state !== 'completed' || r.missing.length > 0);
  const reduced = e.scale !== 'paper';
  const parts = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>sempair report: ${esc(e.id)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${esc(e.id)} <span class="muted">· ${esc(e.scale)} scale</span></h1>`,
    `<p>${esc(e.description)}</p>`,
    reduced
      ? `<p class="banner"><b>Reduced-scale results.</b> Our numbers come from the <code>${esc(e.scale)}</code> form of this experiment (smaller backbone, data, resolution and budget than the paper) and are shown beside the paper's published numbers, never mixed with them. Compare the direction and size of SP − AP, not the absolute accuracy.</p>`
      : `<p class="banner">Paper settings: our numbers are shown beside the published ones.</p>`,
    `<p>${finished} of ${report.runs.length} runs finished and evaluated${missing.length ? ` — not yet: ${missing.map((r) => `${esc(r.label)} (${esc(r.state === 'completed' ? `missing ${r.missing.join(', ')}` : r.state)})`).join(', ')}` : ''}. Run directory: <code>${esc(e.dir)}</code>. Made ${esc(report.generatedAt)}.</p>`,
  ];
  if (report.tables.length) parts.push('<h2>Results</h2>', ...report.tables.map((t) => htmlTable(t, e.scale)));
  const [tableFigures, otherFigures] = [report.figures.filter((f) => f.id.startsWith('table-')), report.figures.filter((f) => !f.id.startsWith('table-'))];
  const figure = (f: ReportContent['figures'][number]): string => `<figure id="${esc(f.id)}">${inlineSvg(f.svg)}<figcaption>${esc(f.caption)}</figcaption></figure>`;
  if (tableFigures.length) parts.push('<h2>Charts</h2>', ...tableFigures.map(figure));
  if (otherFigures.length) parts.push('<h2>Training curves</h2>', ...otherFigures.map(figure));
  if (report.sheets.length) {
    parts.push('<h2>Pairs</h2><p>The first positive pairs each kind of run trains on, and their augmented views, as step 0 draws them.</p>');
    for (const s of report.sheets) {
      parts.push(
        s.png
          ? `<figure class="sheet"><img alt="pairs of ${esc(s.title)}" width="${s.width}" height="${s.height}" src="data:image/png;base64,${s.png.toString('base64')}"><figcaption>${esc(s.title)} (run ${esc(s.run)}); columns: ${esc(s.columns.join(' · '))}</figcaption></figure>`
          : `<p class="muted">${esc(s.title)}: pairs not drawn — ${esc(s.problem ?? '')}</p>`,
      );
    }
  }
  parts.push('<h2>Environment</h2><table>', ...report.environment.rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td style="text-align:left">${esc(v)}</td></tr>`), '</table>');
  parts.push(
    '<h2>Runs</h2><table><tr><th>run</th><th>id</th><th>state</th><th>steps</th><th>final loss</th><th>seed</th><th>backend</th></tr>',
    ...report.runs.map((r) => `<tr><th>${esc(r.label)}</th><td style="text-align:left"><code>${esc(r.id)}</code></td><td>${esc(r.state)}</td><td>${r.step ?? '–'}/${r.totalSteps ?? '–'}</td><td>${fmt(r.finalLoss, 4)}</td><td>${esc(r.config.seed)}</td><td>${esc(r.backend ?? '–')}</td></tr>`),
    '</table>',
  );
  if (report.citation) parts.push(`<p class="muted">Published numbers: ${esc(report.citation)}.</p>`);
  parts.push('</body></html>', '');
  return parts.join('\n');
}

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function mdTable(cells: TableCells, scale: string): string {
  const header = ['', ...cells.columns.flatMap((c) => [`${c.label} — ${oursLabel(scale)}`, `${c.paper} — ${PAPER_LABEL}`])];
  const lines = [`| ${header.map(mdCell).join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  cells.rows.forEach((row, i) => lines.push(`| ${[row.key, ...cells.columns.flatMap((_, j) => [fmt(cells.ours[i]![j]), fmt(cells.paper[i]![j])])].map(mdCell).join(' | ')} |`));
  for (const d of differences(cells)) lines.push(`| **${mdCell(d.label)}** | ${cells.columns.flatMap((_, j) => [d.values[j] === undefined ? '–' : `**${signed(d.values[j]!)}**`, d.paper[j] === undefined ? '–' : signed(d.paper[j]!)]).join(' | ')} |`);
  const negative = differences(cells).filter((d) => d.values.some((v) => v !== undefined && v < 0));
  const notes = [...negative.map((d) => `At this scale ${d.shortfall} everywhere (negative differences as measured).`), ...(cells.table.paperNotes ?? []).map((n) => `Paper: ${n}`)];
  return `### ${cells.table.title}\n\n${lines.join('\n')}\n${notes.length ? `\n${notes.map((n) => `> ${n}`).join('\n')}\n` : ''}`;
}

/**
 * Markdown with its charts and pair sheets as files beside it: `files` maps each file name
 * (relative to the Markdown file) to its content.
 */
export function renderMarkdown(report: ReportContent, assets: string): { markdown: string; files: Map<string, string | Buffer> } {
  const { experiment: e } = report;
  const files = new Map<string, string | Buffer>();
  const out: string[] = [`# ${e.id} · ${e.scale} scale`, '', e.description, ''];
  out.push(
    e.scale !== 'paper'
      ? `> **Reduced-scale results.** Our numbers come from the \`${e.scale}\` form of this experiment and are shown beside the paper's published numbers, never mixed with them.`
      : '> Paper settings: our numbers are shown beside the published ones.',
    '',
  );
  const finished = report.runs.filter((r) => r.state === 'completed' && r.missing.length === 0).length;
  out.push(`${finished} of ${report.runs.length} runs finished and evaluated. Made ${report.generatedAt}.`, '');
  if (report.tables.length) out.push('## Results', '', ...report.tables.map((t) => mdTable(t, e.scale)));
  for (const [title, list] of [
    ['Charts', report.figures.filter((f) => f.id.startsWith('table-'))],
    ['Training curves', report.figures.filter((f) => !f.id.startsWith('table-'))],
  ] as const) {
    if (!list.length) continue;
    out.push(`## ${title}`, '');
    for (const f of list) {
      const file = `${assets}/${f.id}.svg`;
      files.set(file, f.svg);
      out.push(`![${f.title}](${file})`, '', `*${f.caption}*`, '');
    }
  }
  if (report.sheets.length) {
    out.push('## Pairs', '');
    for (const s of report.sheets) {
      if (!s.png) {
        out.push(`${s.title}: pairs not drawn — ${s.problem}`, '');
        continue;
      }
      const file = `${assets}/pairs-${s.title.toLowerCase().replace(/[^\w.-]+/g, '-')}.png`;
      files.set(file, s.png);
      out.push(`![pairs of ${s.title}](${file})`, '', `*${s.title} (run ${s.run}); columns: ${s.columns.join(' · ')}*`, '');
    }
  }
  out.push('## Environment', '', '| | |', '| --- | --- |', ...report.environment.rows.map(([k, v]) => `| ${mdCell(k)} | ${mdCell(v)} |`), '');
  out.push('## Runs', '', '| run | id | state | steps | final loss | seed | backend |', '| --- | --- | --- | ---: | ---: | ---: | --- |');
  out.push(...report.runs.map((r) => `| ${mdCell(r.label)} | \`${r.id}\` | ${r.state} | ${r.step ?? '–'}/${r.totalSteps ?? '–'} | ${fmt(r.finalLoss, 4)} | ${r.config.seed} | ${r.backend ?? '–'} |`), '');
  if (report.citation) out.push(`Published numbers: ${report.citation}.`, '');
  return { markdown: out.join('\n'), files };
}

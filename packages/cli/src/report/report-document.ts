import type { ExpandedExperiment, ResultCell, ResultTable } from '@sempair/core';
import { oursLabel, PAPER_LABEL } from './figures.js';
import type { PairSheet } from './pair-sheets.js';
import type { Environment, ReportRun } from './report-data.js';

/** Everything a report shows, rendered (charts as SVG text), ready for HTML or Markdown. */
export interface ReportContent {
  experiment: Pick<ExpandedExperiment, 'id' | 'description' | 'scale' | 'dir'>;
  generatedAt: string;
  runs: ReportRun[];
  tables: ResultTable[];
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

function cellText(cell: ResultCell, difference: boolean): string {
  if (!cell.ours) return '–';
  const mean = difference ? signed(cell.ours.mean) : fmt(cell.ours.mean);
  return cell.ours.std !== undefined ? `${mean} ± ${fmt(cell.ours.std)}` : mean;
}
const paperText = (cell: ResultCell, difference: boolean): string => (cell.paper === undefined ? '–' : difference ? signed(cell.paper) : fmt(cell.paper));

function htmlTable(table: ResultTable, scale: string): string {
  const head =
    `<tr><th></th>${table.columns.map((c) => `<th colspan="2">${esc(c.label)}${c.paper !== c.label ? ` <span class="muted">(paper: ${esc(c.paper)})</span>` : ''}</th>`).join('')}</tr>` +
    `<tr><th></th>${table.columns.map(() => `<th class="ours">${esc(oursLabel(scale))}</th><th class="paper">${esc(PAPER_LABEL)}</th>`).join('')}</tr>`;
  const body = table.rows
    .map((row) => {
      const difference = row.kind === 'difference';
      const cells = row.cells
        .map((cell) => {
          const negative = difference && cell.ours !== undefined && cell.ours.mean <= 0;
          const status = cell.status ? `<span class="muted"> (${esc(cell.status)})</span>` : '';
          return `<td class="ours${negative ? ' neg' : ''}">${cellText(cell, difference)}${status}</td><td class="paper">${paperText(cell, difference)}</td>`;
        })
        .join('');
      return `<tr${difference ? ' class="diff"' : row.kind === 'baseline' ? ' class="baseline"' : ''}><th>${esc(row.label)}</th>${cells}</tr>`;
    })
    .join('\n');
  const notes = [
    ...table.verdict.map((v) => `<p class="verdict">${esc(v)}</p>`),
    ...table.paperNotes.map((n) => `<p class="muted">Paper: ${esc(n)}</p>`),
    ...(table.missing.length ? [`<p class="muted">Not in the numbers yet: ${table.missing.map((m) => `${esc(m.label)} (${esc(m.state)})`).join(', ')}.</p>`] : []),
  ];
  return `<h3>${esc(table.title)}</h3><table class="results">${head}\n${body}</table>${notes.join('')}`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#222;max-width:1200px;margin:2em auto;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.banner{background:#fff4e5;border:1px solid #f0c36d;padding:.6em 1em;border-radius:4px}
.muted{color:#777;font-weight:normal}table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.25em .6em;text-align:right}th{background:#f7f7f7}th:first-child{text-align:left}
td.paper{color:#555;background:#fafafa}tr.diff td,tr.diff th{font-weight:bold}tr.baseline th{font-style:italic}td.neg{color:#b00020}
p.verdict{font-weight:bold}figure{margin:1.5em 0}figure svg{max-width:100%;height:auto}figcaption{color:#555;max-width:900px}
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
    `<p>${finished} of ${report.runs.length} runs finished and evaluated${missing.length ? ` — not yet: ${missing.map((r) => `${esc(r.run.label)} (${esc(r.state === 'completed' ? `missing ${r.missing.join(', ')}` : r.state)})`).join(', ')}` : ''}. Run directory: <code>${esc(e.dir)}</code>. Made ${esc(report.generatedAt)}.</p>`,
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
    ...report.runs.map((r) => `<tr><th>${esc(r.run.label)}</th><td style="text-align:left"><code>${esc(r.run.id)}</code></td><td>${esc(r.state)}</td><td>${r.step ?? '–'}/${r.totalSteps ?? '–'}</td><td>${fmt(r.finalLoss, 4)}</td><td>${esc(r.run.config.seed)}</td><td>${esc(r.backend ?? '–')}</td></tr>`),
    '</table>',
  );
  if (report.citation) parts.push(`<p class="muted">Published numbers: ${esc(report.citation)}.</p>`);
  parts.push('</body></html>', '');
  return parts.join('\n');
}

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function mdTable(table: ResultTable, scale: string): string {
  const header = ['', ...table.columns.flatMap((c) => [`${c.label} — ${oursLabel(scale)}`, `${c.paper} — ${PAPER_LABEL}`])];
  const lines = [`| ${header.map(mdCell).join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of table.rows) {
    const difference = row.kind === 'difference';
    const cells = row.cells.flatMap((cell) => [`${cellText(cell, difference)}${cell.status ? ` (${cell.status})` : ''}`, paperText(cell, difference)]);
    const bold = (t: string): string => (difference && !t.startsWith('–') ? `**${t}**` : t);
    lines.push(`| ${[difference ? `**${row.label}**` : row.kind === 'baseline' ? `*${row.label}*` : row.label, ...cells.map(bold)].map(mdCell).join(' | ')} |`);
  }
  const notes = [...table.verdict, ...table.paperNotes.map((n) => `Paper: ${n}`), ...(table.missing.length ? [`Not in the numbers yet: ${table.missing.map((m) => `${m.label} (${m.state})`).join(', ')}.`] : [])];
  return `### ${table.title}\n\n${lines.join('\n')}\n${notes.length ? `\n${notes.map((n) => `> ${n}`).join('\n>\n')}\n` : ''}`;
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
  out.push(...report.runs.map((r) => `| ${mdCell(r.run.label)} | \`${r.run.id}\` | ${r.state} | ${r.step ?? '–'}/${r.totalSteps ?? '–'} | ${fmt(r.finalLoss, 4)} | ${r.run.config.seed} | ${r.backend ?? '–'} |`), '');
  if (report.citation) out.push(`Published numbers: ${report.citation}.`, '');
  return { markdown: out.join('\n'), files };
}

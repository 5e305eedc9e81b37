// `sempair report`'s pages on a Figure-4-shaped grid written by hand (no training): charts
// present as inline SVG, our numbers and the paper's side by side and labelled, a negative
// SP − AP said plainly, the pair sheets embedded, the environment listed, nothing fetched
// from a network; Markdown with its SVG and PNG files beside it; the command on an experiment file;
// a random-init baseline as a row of its own (no paper number, no pair sheet, its cells below it named).
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { expandExperiment } from '@sempair/core';
import { buildReport } from '../src/report/build-report.js';
import { tableFigure } from '../src/report/figures.js';
import { renderHtml, renderMarkdown } from '../src/report/report-document.js';
import { jsonLines, sempair } from './helpers/cli.js';
import { FIXTURE_SPEC, figure4Fixture, fixtureRegistry } from './helpers/report-fixture.js';

const registry = fixtureRegistry();
const dir = await mkdtemp(join(tmpdir(), 'sempair-report-'));
const experiment = await figure4Fixture(dir, registry);
const report = await buildReport(experiment, { registry, versions: { sempair: '9.9.9' }, pairs: true, citation: 'the paper (arXiv 2510.08722)' });

/** Every URL-ish reference a browser would fetch: src/href attributes, CSS url(), @import. */
function fetched(html: string): string[] {
  const refs = [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!);
  refs.push(...[...html.matchAll(/url\(\s*['"]?([^'")]+)/gi)].map((m) => m[1]!), ...[...html.matchAll(/@import\s+['"]?([^'";]+)/gi)].map((m) => m[1]!));
  return refs.filter((r) => !r.startsWith('data:') && !r.startsWith('#'));
}

test('the HTML page holds every chart, both sources of numbers, the pairs and the environment, and fetches nothing', (t) => {
  const html = renderHtml(report);
  t.deepEqual(fetched(html), []);
  t.false(/https?:\/\//.test(html), 'no address at all, not even a namespace');
  t.deepEqual(report.figures.map((f) => f.id), ['table-figure4', 'curves-loss', 'curves-z_std']);
  t.is((html.match(/<svg\b/g) ?? []).length, 3);
  t.true(report.figures.every((f) => /<rect|<path/.test(f.svg)), 'charts have marks');
  // Bars carry their values: ours and the paper's, each labelled.
  const bars = report.figures[0]!.svg;
  for (const v of ['55.8', '50.5', '85.6', '81.8']) t.true(bars.includes(`>${v}<`), `bar label ${v}`);
  t.regex(bars, /ours · cpu scale \(reduced\)/);
  t.regex(bars, /paper \(published\)/);
  // The table: our numbers beside the paper's, the difference rows, VICReg's negative gap said.
  t.regex(html, /Reduced-scale results\./);
  t.regex(html, /<th>simclr AP<\/th><td class="ours">55\.75<\/td><td class="paper">81\.76<\/td>/);
  t.regex(html, /<th>vicreg: SP − AP<\/th><td class="ours neg">−1\.75<\/td>/);
  t.regex(html, /<p class="verdict">SP does not beat AP in 2 of 2 cells measured at cpu scale: vicreg, set A −1\.75; vicreg, set B −1\.50\.<\/p>/);
  t.regex(html, /3 of 4 runs finished and evaluated — not yet: simclr SP \(missing linear-a, linear-b\)/);
  t.regex(html, /<th>simclr: SP − AP<\/th><td class="ours">–<span class="muted"> \(needs both\)<\/span><\/td><td class="paper">\+3\.83<\/td>/);
  // Pair sheets, embedded.
  t.is((html.match(/src="data:image\/png;base64,iVBORw0KGgo/g) ?? []).length, 2);
  t.deepEqual(report.sheets.map((s) => s.title), ['SP', 'AP']);
  // Environment.
  t.regex(html, /<th>sempair<\/th><td[^>]*>9\.9\.9<\/td>/);
  t.regex(html, /<th>backend \(as the runs recorded\)<\/th><td[^>]*>wasm<\/td>/);
  t.regex(html, new RegExp(`<th>node</th><td[^>]*>${process.versions.node}</td>`));
  t.regex(html, /<th>trained on<\/th><td[^>]*>node07: linux 6\.1 \(x64\), 64 × AMD EPYC 7763, 503\.5 GiB, node 20\.19\.0<\/td>/);
});

test('Markdown names its SVG and PNG files, which stand alone', (t) => {
  const { markdown, files } = renderMarkdown(report, 'figure4-report');
  t.deepEqual([...files.keys()].sort(), ['figure4-report/curves-loss.svg', 'figure4-report/curves-z_std.svg', 'figure4-report/pairs-ap.png', 'figure4-report/pairs-sp.png', 'figure4-report/table-figure4.svg']);
  for (const name of files.keys()) t.true(markdown.includes(`](${name})`), name);
  const svg = files.get('figure4-report/table-figure4.svg') as string;
  t.regex(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, 'a file keeps its namespace');
  t.deepEqual(fetched(svg), []);
  t.regex(markdown, /\| vicreg SP \| 50\.50 \| – \| 33\.50 \| – \|/);
  t.regex(markdown, /\| \*\*simclr: SP − AP\*\* \| – \(needs both\) \| \*\*\+3\.83\*\* \|/);
  t.regex(markdown, /> \*\*Reduced-scale results\.\*\*/);
  t.regex(markdown, /> SP does not beat AP in 2 of 2 cells measured at cpu scale/);
});

test('sempair report writes the page for an experiment file, and Markdown with its files', async (t) => {
  const box = await mkdtemp(join(tmpdir(), 'sempair-report-cli-'));
  const file = join(box, 'fixture.experiment.json');
  await writeFile(file, JSON.stringify(FIXTURE_SPEC));
  const runsDir = join(box, 'runs');
  // The CLI expands the file as the fixture does: the same run ids, so it finds these runs.
  const expanded = await figure4Fixture(runsDir, registry);
  const env = { XDG_DATA_HOME: join(box, 'xdg-data'), XDG_CONFIG_HOME: join(box, 'xdg-config'), XDG_CACHE_HOME: join(box, 'xdg-cache') };
  const html = await sempair(['report', file, '--runs-dir', runsDir, '--json'], { cwd: box, env });
  t.is(html.code, 0, html.stderr);
  const out = jsonLines(html.stdout)[0] as { report: string; finished: number; runs: number; figures: string[] };
  t.is(out.report, join(expanded.dir, 'report.html'));
  t.like(out, { finished: 3, runs: 4, figures: ['table-figure4', 'curves-loss', 'curves-z_std'] });
  const page = await readFile(out.report, 'utf8');
  t.is((page.match(/<svg\b/g) ?? []).length, 3);
  t.regex(page, /<th>sempair<\/th><td[^>]*>0\.1\.0<\/td>/);
  t.regex(page, /Enhancing Self-Supervised Learning with Semantic Pairs/);

  const md = await sempair(['report', file, '--runs-dir', runsDir, '--format', 'markdown', '--out', join(box, 'docs', 'fig4.md'), '--no-pairs'], { cwd: box, env });
  t.is(md.code, 0, md.stderr);
  t.regex(md.stdout, /^Report: docs\/fig4\.md \(3 of 4 runs finished; 3 charts\)\n$/);
  t.deepEqual((await readdir(join(box, 'docs', 'fig4-files'))).sort(), ['curves-loss.svg', 'curves-z_std.svg', 'table-figure4.svg']);
  t.regex(await readFile(join(box, 'docs', 'fig4.md'), 'utf8'), /!\[Figure 4: methods × SP\/AP\]\(fig4-files\/table-figure4\.svg\)/);
});

test('a random-init baseline is a row of the table, without the paper’s number, and pre-trained cells below it are named', async (t) => {
  const runsDir = await mkdtemp(join(tmpdir(), 'sempair-report-baseline-'));
  await figure4Fixture(runsDir, registry); // the same run ids: baselines change none
  const experiment = expandExperiment({ ...FIXTURE_SPEC, baselines: ['random-init'] }, { registry, where: 'fixture', invocation: { experiment: 'fixture.yaml', data: {}, runsDir } });
  const baseline = experiment.runs.at(-1)!;
  t.truthy(baseline.baseline);
  await mkdir(join(baseline.runDir, 'eval'), { recursive: true });
  await writeFile(join(baseline.runDir, 'baseline.json'), JSON.stringify({ kind: 'random-init' }));
  for (const [e, top1] of baseline.evaluations.map((e, i) => [e, [51, 20][i]!] as const)) {
    await writeFile(join(baseline.runDir, 'eval', `${e.name}-random.json`), JSON.stringify({ evaluator: e.evaluator, options: e.requested, randomInit: true, checkpoint: null, backend: 'wasm', metrics: { top1, top5: 60 } }));
  }
  const withBaseline = await buildReport(experiment, { registry, versions: {}, pairs: true });
  t.deepEqual(withBaseline.sheets.map((s) => s.title), ['SP', 'AP'], 'a baseline trains on no pairs');
  const html = renderHtml(withBaseline);
  t.regex(html, /<tr class="baseline"><th>random init<\/th><td class="ours">51\.00<\/td><td class="paper">–<\/td><td class="ours">20\.00<\/td><td class="paper">–<\/td><\/tr>/);
  t.regex(html, /<p class="verdict">Below random init at cpu scale: 1 of 6 pre-trained cells — vicreg SP \(set A 50\.50 vs 51\.00\)\.<\/p>/);
  t.regex(html, /<th>random init<\/th><td style="text-align:left"><code>random-init-resnet18-s0-[0-9a-f]{8}<\/code><\/td><td>completed<\/td><td>–\/–<\/td><td>–<\/td><td>0<\/td><td>wasm<\/td>/);
  const { markdown } = renderMarkdown(withBaseline, 'files');
  t.regex(markdown, /\| \*random init\* \| 51\.00 \| – \| 20\.00 \| – \|/);
});

test("Table 1's shape: epochs become the groups, each naming the paper's value it stands for", (t) => {
  const cell = (ours: number, paper?: number) => ({ ours: { mean: ours, n: 1 }, ...(paper !== undefined ? { paper } : {}) });
  const columns = ['4', '8'].map((label, i) => ({ label, paper: ['200', '400'][i]!, evaluation: 'linear-shifted', metric: 'top1' }));
  const table = {
    id: 'table1',
    title: 'Table 1',
    scale: 'cpu',
    rowAxes: ['pairs' as const],
    columns,
    rows: [
      { kind: 'runs' as const, label: 'SP', labels: ['SP'], cells: [cell(40, 85.59), cell(45, 86.5)] },
      { kind: 'runs' as const, label: 'AP', labels: ['AP'], cells: [cell(38, 81.76), cell(39, 82.23)] },
    ],
    paperNotes: [],
    verdict: ['SP beats AP in all 2 cells measured at cpu scale.'],
    missing: [],
  };
  const spec = { id: 'table1', title: 'Table 1', rows: ['pairs' as const], columns: { axis: 'epochs' as const, evaluation: 'linear-shifted' }, difference: { axis: 'pairs' as const, a: 'SP', b: 'AP' } };
  const axes = [{ name: 'epochs' as const, values: [{ label: '4', paper: '200' }, { label: '8', paper: '400' }] }, { name: 'pairs' as const, values: [{ label: 'SP' }, { label: 'AP' }] }];
  const figure = tableFigure(table, spec, { axes, scale: 'cpu' })!;
  const values = (figure.spec as { data: { values: Array<{ group: string; series: string; panel: string; source: string; value: number }> } }).data.values;
  t.deepEqual(
    values.map((v) => [v.group, v.series, v.panel, v.source, v.value]),
    [
      ['4 (paper: 200)', 'SP', 'linear-shifted', 'ours · cpu scale (reduced)', 40],
      ['4 (paper: 200)', 'SP', 'linear-shifted', 'paper (published)', 85.59],
      ['8 (paper: 400)', 'SP', 'linear-shifted', 'ours · cpu scale (reduced)', 45],
      ['8 (paper: 400)', 'SP', 'linear-shifted', 'paper (published)', 86.5],
      ['4 (paper: 200)', 'AP', 'linear-shifted', 'ours · cpu scale (reduced)', 38],
      ['4 (paper: 200)', 'AP', 'linear-shifted', 'paper (published)', 81.76],
      ['8 (paper: 400)', 'AP', 'linear-shifted', 'ours · cpu scale (reduced)', 39],
      ['8 (paper: 400)', 'AP', 'linear-shifted', 'paper (published)', 82.23],
    ],
  );
  t.regex(figure.caption, /SP beats AP in all 2 cells measured at cpu scale\./);
});

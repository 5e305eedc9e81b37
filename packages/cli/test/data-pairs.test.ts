// `sempair data inspect` and `sempair pairs preview`, run as a user runs them: counts and shape
// from the report, a PNG whose size follows its rows and columns, and one-line errors that leave
// no file behind.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import sharp from 'sharp';
import { sandbox, sempair, type CliResult } from './helpers/cli.js';

const box = await sandbox();
const small = ['--dataset-options', 'perClass=3'];

function assertOneLineError(t: ExecutionContext, result: CliResult, pattern: RegExp): void {
  t.is(result.code, 1, `exit code 1, stderr:\n${result.stderr}`);
  const lines = result.stderr.trim().split('\n');
  t.is(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  t.regex(lines[0]!, /^Error: .+ — .+/);
  t.regex(lines[0]!, pattern);
  t.is(result.stdout, '', 'nothing on stdout');
}

async function caseDir(): Promise<string> {
  const dir = join(box.dir, `case-${Math.random().toString(36).slice(2)}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

interface PreviewJson {
  out: string;
  width: number;
  height: number;
  cell: { width: number; height: number };
  gap: number;
  columns: string[];
  pairs: Array<{ a: number; b: number; index: number; label: number; labelB: number }>;
}

/** Runs `pairs preview --json`, then checks the PNG on disk has the size its rows and columns imply. */
async function preview(t: ExecutionContext, args: string[], count: number): Promise<PreviewJson> {
  const cwd = await caseDir();
  const result = await sempair(['pairs', 'preview', ...small, '--count', String(count), '--out', 'sheet/pairs.png', '--json', ...args], { cwd, env: box.env });
  t.is(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as PreviewJson;
  t.is(report.out, join(cwd, 'sheet/pairs.png'));
  t.is(report.pairs.length, count);
  t.deepEqual(report.columns.slice(0, 2), ['image a', 'image b']);
  t.true(report.cell.width >= 96 && report.cell.height >= 96, '32 px images are scaled up to at least 96 px');

  const meta = await sharp(report.out).metadata();
  t.is(meta.format, 'png');
  const columns = report.columns.length;
  t.is(meta.width, columns * report.cell.width + (columns + 1) * report.gap);
  t.is(meta.height, count * report.cell.height + (count + 1) * report.gap);
  t.is(meta.width, report.width);
  t.is(meta.height, report.height);
  return report;
}

test('data inspect counts every class of a small synthetic set', async (t) => {
  const result = await sempair(['data', 'inspect', 'synthetic', ...small, '--json'], { env: box.env });
  t.is(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as {
    size: number;
    shape: number[];
    classes: Array<{ name: string; count: number }>;
    unlabelled: number;
    balance: { min: number; max: number };
    sample: { indexes: number[] };
    problems: unknown[];
  };
  t.deepEqual(report.shape, [32, 32, 3]);
  t.true(report.classes.length > 1);
  t.true(report.classes.every((k) => k.count === 3), JSON.stringify(report.classes));
  t.is(report.size, 3 * report.classes.length);
  t.is(report.unlabelled, 0);
  t.deepEqual(report.balance, { min: 3, max: 3, ratio: 1 });
  t.is(report.sample.indexes.length, 16, 'pixel checks on --sample images (default 16)');
  t.deepEqual(report.problems, []);

  const human = await sempair(['data', 'inspect', 'synthetic', ...small, '--sample', '2'], { env: box.env });
  t.is(human.code, 0, human.stderr);
  t.regex(human.stdout, /32×32×3/);
  t.regex(human.stdout, /No problems found/);
});

test('data inspect: a bad dataset option ends in one line', async (t) => {
  const result = await sempair(['data', 'inspect', 'synthetic', '--dataset-options', 'perClass=abc'], { env: box.env });
  assertOneLineError(t, result, /dataset synthetic: option 'perClass' must be an integer/);
  assertOneLineError(t, await sempair(['data', 'inspect', 'nope'], { env: box.env }), /unknown dataset 'nope'.*synthetic/);
});

test('pairs preview: semantic pairs are two images of one class', async (t) => {
  const report = await preview(t, ['--pairs', 'semantic-labels'], 4);
  t.is(report.columns.length, 4, 'a, b and the two views of the default (SimCLR) preset');
  for (const pair of report.pairs) {
    t.not(pair.a, pair.b);
    t.is(pair.label, pair.labelB);
  }
});

test('pairs preview: augmented pairs repeat one image; local crops add columns', async (t) => {
  const report = await preview(t, ['--pairs', 'augmented', '--local-crops', '2'], 3);
  t.is(report.columns.length, 6);
  t.regex(report.columns[5]!, /local crop from b/);
  for (const pair of report.pairs) t.is(pair.a, pair.b);
});

test('pairs preview: a missing manifest ends in one line and writes no PNG', async (t) => {
  const cwd = await caseDir();
  const result = await sempair(
    ['pairs', 'preview', ...small, '--pairs', 'semantic-manifest', '--pair-options', 'manifest=missing.csv', '--out', 'pairs.png'],
    { cwd, env: box.env },
  );
  assertOneLineError(t, result, /manifest not found: missing\.csv/);
  t.false(existsSync(join(cwd, 'pairs.png')));
});

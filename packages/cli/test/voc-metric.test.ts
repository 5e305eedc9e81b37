// `sempair data make-voc` and `sempair eval voc-metric`, run as a user runs them: a synthetic
// devkit, results files in the VOC format, the AP table and its JSON, and one-line errors.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { evaluateVoc, readVocGroundTruth, vocResultsFileName, type VocDetection } from '@sempair/eval-detection';
import { sandbox, sempair } from './helpers/cli.js';

const box = await sandbox();
const root = join(box.dir, 'devkit');
const made = await sempair(['data', 'make-voc', '--out', root, '--images', '16', '--size', '48', '--seed', '4', '--json'], { env: box.env });
const images = await readVocGroundTruth(root, { year: 'VOC2007', split: 'test' });

interface MetricJson {
  AP: number | null;
  AP50: number | null;
  AP75: number | null;
  metric: string;
  images: number;
  missing: string[];
  classSource: string;
  perClass: Array<{ cls: string; AP50: number; positives: number; detections: number }>;
}

/**
 * Results files: every ring and cross object found exactly (difficult ones too), each cross
 * twice (the copy scores lower: a duplicate), plus one false positive that outscores all; no
 * file for triangle; star's file is empty.
 */
async function writeResults(dir: string): Promise<Map<string, VocDetection[]>> {
  await mkdir(dir, { recursive: true });
  const detections = new Map<string, VocDetection[]>([['ring', []], ['cross', []], ['star', []]]);
  let score = 0.9;
  for (const image of images) {
    for (const o of image.objects) {
      if (o.cls === 'ring') detections.get('ring')!.push({ imageId: image.id, score: (score -= 0.001), box: o.vocBox });
      if (o.cls === 'cross') {
        detections.get('cross')!.push({ imageId: image.id, score: (score -= 0.001), box: o.vocBox });
        detections.get('cross')!.push({ imageId: image.id, score: score - 0.5, box: o.vocBox });
      }
    }
  }
  detections.get('ring')!.push({ imageId: images[0]!.id, score: 0.99, box: [1, 1, 3, 3] });
  for (const [cls, list] of detections) {
    await writeFile(join(dir, vocResultsFileName(cls)), list.map((d) => `${d.imageId} ${d.score.toFixed(3)} ${d.box.join(' ')}\n`).join(''));
  }
  return detections;
}

test('make-voc writes a devkit the metric reads: split sizes, classes.txt, JSON summary', (t) => {
  t.is(made.code, 0, made.stderr);
  const summary = JSON.parse(made.stdout) as { splits: Record<string, number>; classes: string[]; objects: number };
  t.deepEqual(summary.splits, { train: 4, val: 4, trainval: 8, test: 8 });
  t.deepEqual(summary.classes, ['ring', 'cross', 'triangle', 'star']);
  t.is(readFileSync(join(root, 'classes.txt'), 'utf8'), 'ring\ncross\ntriangle\nstar\n');
  t.is(images.length, 8);
});

test('voc-metric prints per-class AP and the summary, names classes without a file, and --json matches the library', async (t) => {
  const dir = join(box.dir, 'results');
  const detections = await writeResults(dir);
  const result = await sempair(['eval', 'voc-metric', '--gt', root, '--year', '2007', '--split', 'test', '--detections', dir], { env: box.env });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /│ class\s+│ objects │ detections │ AP\s+│ AP50\s+│ AP75\s+│/);
  t.regex(result.stdout, /│ AP50\s+│ \d+\.\d\d\s+│/);
  t.regex(result.stdout, /VOC2007 11-point, IoU 0\.50:0\.95:0\.05, mean over 4 classes/);
  t.regex(result.stdout, /No results file for 1 class\(es\), counted as no detections: triangle/);

  const json = await sempair(['eval', 'voc-metric', '--gt', root, '--detections', dir, '--json'], { env: box.env });
  t.is(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as MetricJson;
  t.deepEqual(report.missing, ['triangle']);
  t.is(report.classSource, join(root, 'classes.txt'));
  t.is(report.metric, '11-point');
  t.is(report.images, 8);
  // The same numbers as the library on the rounded scores the files hold.
  const rounded = new Map([...detections].map(([c, list]) => [c, list.map((d) => ({ ...d, score: Number(d.score.toFixed(3)) }))]));
  const expected = evaluateVoc({ images, classes: ['ring', 'cross', 'triangle', 'star'], detections: rounded, use07Metric: true });
  t.is(report.AP, expected.AP);
  t.is(report.AP50, expected.AP50);
  const byClass = Object.fromEntries(report.perClass.map((c) => [c.cls, c]));
  const rings = images.flatMap((i) => i.objects).filter((o) => o.cls === 'ring' && !o.difficult).length;
  t.is(byClass.ring!.positives, rings);
  t.is(byClass.triangle!.detections, 0);
  t.is(byClass.triangle!.AP50, 0);
  t.is(byClass.star!.AP50, 0);
  // Every cross found once before its duplicates (which score lower): AP50 100 in spite of them.
  t.true(Math.abs(byClass.cross!.AP50 - 100) < 1e-9, String(byClass.cross!.AP50));
  // The false positive outscores every ring: precision climbs to n/(n+1) at full recall, the
  // best precision at every 11-point recall point.
  t.true(Math.abs(byClass.ring!.AP50 - (100 * rings) / (rings + 1)) < 1e-9, `${byClass.ring!.AP50} with ${rings} rings`);

  // --classes: the summary is the mean over the listed classes only; the area metric on request.
  const two = await sempair(['eval', 'voc-metric', '--gt', root, '--detections', dir, '--classes', 'ring,cross', '--metric', 'area', '--json'], { env: box.env });
  t.is(two.code, 0, two.stderr);
  const pair = JSON.parse(two.stdout) as MetricJson;
  t.deepEqual(pair.perClass.map((c) => c.cls), ['ring', 'cross']);
  t.deepEqual(pair.missing, []);
  t.is(pair.metric, 'area');
  t.true(Math.abs(pair.AP50! - (pair.perClass[0]!.AP50 + pair.perClass[1]!.AP50) / 2) < 1e-9);
});

test('voc-metric: a wrong folder, a missing year or a detection for an unknown image end in one line', async (t) => {
  const oneLine = (r: { code: number; stderr: string; stdout: string }, pattern: RegExp): void => {
    t.is(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    t.is(lines.length, 1, r.stderr);
    t.regex(lines[0]!, /^Error: .+ — .+/);
    t.regex(lines[0]!, pattern);
    t.is(r.stdout, '');
  };
  oneLine(await sempair(['eval', 'voc-metric', '--gt', root, '--detections', join(box.dir, 'nothing')], { env: box.env }), /holds none of the 4 results files \(e\.g\. comp4_det_test_ring\.txt\)/);
  oneLine(await sempair(['eval', 'voc-metric', '--gt', root, '--year', '2012', '--detections', box.dir], { env: box.env }), /VOC2012 not found/);
  const bad = join(box.dir, 'bad');
  await mkdir(bad, { recursive: true });
  await writeFile(join(bad, vocResultsFileName('ring')), '999999 0.5 1 1 5 5\n');
  oneLine(await sempair(['eval', 'voc-metric', '--gt', root, '--detections', bad], { env: box.env }), /ring detection is for image 999999, which is not in the evaluated image set/);
  await writeFile(join(bad, vocResultsFileName('ring')), '000009 0.5 1 1 5\n');
  oneLine(await sempair(['eval', 'voc-metric', '--gt', root, '--detections', bad], { env: box.env }), /comp4_det_test_ring\.txt, line 1: 5 fields, expected 6/);
});

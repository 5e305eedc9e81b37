import test from 'ava';
import { UserError } from '@sempair/core';
import { numpyMean, numpySum } from '../src/metric/numpy-sum.js';
import { pythonFixed } from '../src/metric/python-format.js';
import { vocAp } from '../src/metric/voc-ap.js';
import { VOC_IOU_THRESHOLDS, vocEvalClass, type VocDetection, type VocGroundTruthImage } from '../src/metric/voc-eval.js';
import { evaluateVoc, usesVoc07Metric } from '../src/metric/voc-metric.js';
import { evaluateVocPredictions } from '../src/metric/evaluate-predictions.js';
import { parseVocResults, vocDetectionsFromPredictions, vocResultsLine } from '../src/metric/voc-results.js';
import type { Box } from '../src/voc/voc-types.js';

// Hand-worked cases. Boxes are VOC's 1-based inclusive pixels: [1, 1, 10, 10] is 10×10 = 100 px.
const A: Box = [1, 1, 10, 10];

const image = (id: string, ...objects: [Box, boolean?][]): VocGroundTruthImage => ({
  id,
  objects: objects.map(([vocBox, difficult = false]) => ({ cls: 'dog', vocBox, difficult })),
});
const det = (imageId: string, score: number, box: Box): VocDetection => ({ imageId, score, box });

/** T (true positive), F (false positive) or - (ignored) per detection, in score order. */
function marks(images: VocGroundTruthImage[], dets: VocDetection[], threshold = 0.5): string {
  const [curve] = vocEvalClass(images, 'dog', dets, [threshold], true);
  return [...curve!.outcomes].map((o) => (o === 1 ? 'T' : o === -1 ? 'F' : '-')).join('');
}

test('+1 widths and the strict threshold: IoU exactly 0.5 is not a match, 0.6 is', (t) => {
  // [1,1,10,5] covers 10×5 = 50 of A's 100 pixels: IoU 50/100 = 0.5 exactly (0.444 without +1).
  const [at50, at45] = vocEvalClass([image('a', [A])], 'dog', [det('a', 0.9, [1, 1, 10, 5])], [0.5, 0.45], true);
  t.is(at50!.truePositives, 0);
  t.is(at50!.falsePositives, 1);
  t.is(at50!.ap, 0);
  t.is(at45!.truePositives, 1); // 0.5 > 0.45; without +1 widths it would be 0.444, a miss
  t.is(marks([image('a', [A])], [det('a', 0.9, [1, 1, 10, 6])]), 'T'); // 60/100
  // Fractional detection coordinates are used as they are: [1,1,10,5.5] → 10×5.5 / 100.
  const [half] = vocEvalClass([image('a', [A])], 'dog', [det('a', 0.9, [1, 1, 10, 5.5])], [0.549], true);
  t.is(half!.truePositives, 1);
});

test('a match to a difficult object is neither TP nor FP, and recall counts non-difficult objects only', (t) => {
  const B: Box = [20, 20, 29, 29];
  const images = [image('a', [A], [B, true])];
  const [curve] = vocEvalClass(images, 'dog', [det('a', 0.9, B), det('a', 0.8, B), det('a', 0.7, A)], [0.5], true);
  t.is(curve!.positives, 1);
  t.deepEqual([...curve!.recall], [0, 0, 1]);
  t.deepEqual([...curve!.precision], [0, 0, 1]); // 0 / max(0, eps): the two difficult matches count nowhere
  t.is(curve!.truePositives, 1);
  t.is(curve!.falsePositives, 0);
  t.is(curve!.ap, 1 / 11 + 1 / 11 + 1 / 11 + 1 / 11 + 1 / 11 + 1 / 11 + 1 / 11 + 1 / 11 + 1 / 11 + 1 / 11 + 1 / 11);
});

test('a second detection of a matched object is a false positive; 11-point and area AP differ as worked by hand', (t) => {
  const C: Box = [50, 50, 69, 69];
  const images = [image('a', [A]), image('b', [C])];
  const dets = [det('a', 0.9, A), det('a', 0.8, [1, 1, 10, 9]), det('b', 0.7, C)];
  const [p07] = vocEvalClass(images, 'dog', dets, [0.5], true);
  const [area] = vocEvalClass(images, 'dog', dets, [0.5], false);
  t.deepEqual([...p07!.recall], [0.5, 0.5, 1]);
  t.deepEqual([...p07!.precision], [1, 0.5, 2 / 3]);
  // 11-point: recall ≥ 0, 0.1, …, 0.5 reaches precision 1 (six points), 0.6 … 1.0 only 2/3 (five).
  t.true(Math.abs(p07!.ap - (6 + 5 * (2 / 3)) / 11) < 1e-15);
  // Area: envelope [1, 1, 2/3, 2/3]; recall steps 0 → 0.5 at 1 and 0.5 → 1 at 2/3.
  t.is(area!.ap, 0.5 * 1 + 0.5 * (2 / 3));
});

test('only the highest-IoU object counts: a taken best match is a duplicate even if another object overlaps enough', (t) => {
  const B: Box = [3, 1, 12, 10];
  const images = [image('a', [A], [B])];
  // [1,1,11,10]: IoU 100/110 = 0.909 with A (taken by the first detection), 90/120 = 0.75 with B.
  t.is(marks(images, [det('a', 0.9, A), det('a', 0.8, [1, 1, 11, 10])]), 'TF');
  // The same box first: it takes A; the exact A box then has IoU 1 with A (taken) → FP.
  t.is(marks(images, [det('a', 0.9, [1, 1, 11, 10]), det('a', 0.8, A)]), 'TF');
  // Its best object is difficult: ignored, though B (non-difficult) overlaps above the threshold.
  t.is(marks([image('a', [A, true], [B])], [det('a', 0.9, [1, 1, 11, 10])]), '-');
  // An IoU tie goes to the first object listed (np.argmax): [2,1,11,10] has 90/110 with A and B.
  t.is(marks(images, [det('a', 0.9, A), det('a', 0.8, [2, 1, 11, 10])]), 'TF');
  t.is(marks([image('a', [B], [A])], [det('a', 0.9, A), det('a', 0.8, [2, 1, 11, 10])]), 'TT');
});

test('detections are taken by score, highest first, and equal scores keep their input order', (t) => {
  const images = [image('a', [A])];
  const good = det('a', 0.5, A);
  const bad = det('a', 0.9, [30, 30, 40, 40]);
  const [curve] = vocEvalClass(images, 'dog', [good, bad], [0.5], true);
  t.deepEqual([...curve!.precision], [0, 0.5]); // the FP (0.9) first
  t.deepEqual(curve!.order, [1, 0]);
  const [tieGoodFirst] = vocEvalClass(images, 'dog', [{ ...good, score: 0.7 }, { ...bad, score: 0.7 }], [0.5], false);
  const [tieBadFirst] = vocEvalClass(images, 'dog', [{ ...bad, score: 0.7 }, { ...good, score: 0.7 }], [0.5], false);
  t.is(tieGoodFirst!.ap, 1);
  t.is(tieBadFirst!.ap, 0.5);
});

test('11-point recall points are k·0.1 in float64: 3/10 does not reach 0.30000000000000004', (t) => {
  // Ten objects in ten images; detections TP TP TP FP FP TP: recall 0.1 0.2 0.3 0.3 0.3 0.4.
  const images = Array.from({ length: 10 }, (_, k) => image(`i${k}`, [A]));
  const miss: Box = [40, 40, 50, 50];
  const dets = [det('i0', 0.9, A), det('i1', 0.8, A), det('i2', 0.7, A), det('i3', 0.6, miss), det('i3', 0.5, miss), det('i3', 0.4, A)];
  const [curve] = vocEvalClass(images, 'dog', dets, [0.5], true);
  t.deepEqual([...curve!.recall], [0.1, 0.2, 0.3, 0.3, 0.3, 0.4]);
  t.true(3 * 0.1 > 0.3);
  // t = 0, 0.1, 0.2 → precision 1; t = 0.30000000000000004 and 0.4 → only recall 0.4 (precision 4/6).
  t.is(curve!.ap, 1 / 11 + 1 / 11 + 1 / 11 + 4 / 6 / 11 + 4 / 6 / 11);
  t.not(curve!.ap, (4 + 4 / 6) / 11); // what a decimal 0.3 recall point would give
  t.is(vocAp(Float64Array.of(0.3), Float64Array.of(1), true), 1 / 11 + 1 / 11 + 1 / 11);
});

test('empty cases: no objects, no detections, detections for an image without objects of the class', (t) => {
  const none: VocGroundTruthImage[] = [{ id: 'a', objects: [] }];
  // No objects and no detections: AP 0 in both metrics (the area is the sentinel's 1 × 0).
  t.is(vocEvalClass(none, 'dog', [], [0.5], true)[0]!.ap, 0);
  t.is(vocEvalClass(none, 'dog', [], [0.5], false)[0]!.ap, 0);
  // Objects but no detections: AP 0.
  t.is(vocEvalClass([image('a', [A])], 'dog', [], [0.5], false)[0]!.ap, 0);
  // Detections but no (non-difficult) object: recall is 0/0 = NaN; 11-point AP 0, area AP NaN — as numpy.
  const [p07] = vocEvalClass(none, 'dog', [det('a', 0.9, A)], [0.5], true);
  t.is(p07!.ap, 0);
  t.is(p07!.falsePositives, 1);
  t.true(Number.isNaN(vocEvalClass(none, 'dog', [det('a', 0.9, A)], [0.5], false)[0]!.ap));
  // A detection in an image holding only other classes' objects is a false positive.
  const cat: VocGroundTruthImage = { id: 'b', objects: [{ cls: 'cat', vocBox: A, difficult: false }] };
  t.is(marks([image('a', [A]), cat], [det('b', 0.9, A), det('a', 0.8, A)]), 'FT');
  t.throws(() => vocEvalClass(none, 'dog', [det('zzz', 0.9, A)], [0.5], true), { instanceOf: UserError, message: /image zzz, which is not in the evaluated image set/ });
});

test('summary: per-threshold APs ×100, AP50/AP75, AP the mean of the ten means, over the listed classes only', (t) => {
  const objects = [
    { cls: 'dog', vocBox: A, difficult: false },
    { cls: 'cat', vocBox: [30, 30, 39, 39] as Box, difficult: false },
  ];
  const images: VocGroundTruthImage[] = [{ id: 'a', objects }];
  // The dog detection has IoU 80/100 = 0.8 exactly: a match at 0.50…0.75, not at 0.80 (strict) and above.
  const detections = new Map([['dog', [det('a', 0.9, [1, 1, 10, 8])]]]);
  const both = evaluateVoc({ images, classes: ['dog', 'cat'], detections, use07Metric: true });
  const dog = both.perClass[0]!;
  t.deepEqual(VOC_IOU_THRESHOLDS, [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);
  t.deepEqual(dog.apByThreshold.map((v) => Math.round(v * 1e9) / 1e9), [100, 100, 100, 100, 100, 100, 0, 0, 0, 0]);
  t.true(Math.abs(dog.AP - 60) < 1e-9);
  t.deepEqual({ positives: dog.positives, detections: dog.detections }, { positives: 1, detections: 1 });
  const cat = both.perClass[1]!;
  t.deepEqual({ AP: cat.AP, detections: cat.detections, positives: cat.positives }, { AP: 0, detections: 0, positives: 1 });
  t.true(Math.abs(both.AP50 - 50) < 1e-9);
  t.true(Math.abs(both.AP75 - 50) < 1e-9);
  t.true(Math.abs(both.AP - 30) < 1e-9);
  t.is(both.metric, '11-point');
  const dogOnly = evaluateVoc({ images, classes: ['dog'], detections, use07Metric: false });
  t.true(Math.abs(dogOnly.AP50 - 100) < 1e-12);
  t.true(Math.abs(dogOnly.AP - 60) < 1e-12);
  t.is(dogOnly.metric, 'area');
  // A listed class without objects, evaluated by area, makes the means NaN, as in detectron2.
  const withBird = evaluateVoc({ images, classes: ['dog', 'bird'], detections: new Map([...detections, ['bird', [det('a', 0.5, A)]]]), use07Metric: false });
  t.true(Number.isNaN(withBird.AP50));
  t.throws(() => evaluateVoc({ images, classes: [], detections, use07Metric: true }), { instanceOf: UserError });
  t.throws(() => evaluateVoc({ images, classes: ['dog', 'dog'], detections, use07Metric: true }), { instanceOf: UserError, message: /twice/ });
  t.true(usesVoc07Metric('VOC2007') && usesVoc07Metric(2007) && !usesVoc07Metric('2012'));
});

test('predictions: 0-based boxes get xmin+1, ymin+1 and the results file rounding (score .3f, box .1f)', (t) => {
  // A model box equal to a training box [xmin-1, ymin-1, xmax, ymax] becomes the VOC box again.
  const detections = vocDetectionsFromPredictions([{ imageId: '000005', boxes: [262, 210, 324, 339, 0.04, 10.25, 10.75, 12.34567], scores: [0.9876, 0.0625], classes: [1, 0] }], ['cat', 'chair']);
  t.deepEqual(detections.get('chair'), [{ imageId: '000005', score: 0.988, box: [263, 211, 324, 339] }]);
  // float32(0.04) + 1 = 1.04 → '1.0'; 10.25 + 1 = 11.25 → '11.2' (half to even, as Python);
  // 10.75 → '10.8'; 12.34567 → '12.3'; score 0.0625 → '0.062'.
  t.deepEqual(detections.get('cat'), [{ imageId: '000005', score: 0.062, box: [1, 11.2, 10.8, 12.3] }]);
  t.is(vocResultsLine(detections.get('cat')![0]!), '000005 0.062 1.0 11.2 10.8 12.3');
  t.deepEqual(parseVocResults('000005 0.062 1.0 11.2 10.8 12.3\n\n2008_000001 1 2 3 4 5\n', 'f.txt'), [
    { imageId: '000005', score: 0.062, box: [1, 11.2, 10.8, 12.3] },
    { imageId: '2008_000001', score: 1, box: [2, 3, 4, 5] },
  ]);
  t.throws(() => parseVocResults('a 0.5 1 2 3\n', 'f.txt'), { instanceOf: UserError, message: /f\.txt, line 1: 5 fields, expected 6/ });
  t.throws(() => parseVocResults('a 0.5 1 2 3 4\na 0.5 1 2 3 nan\n', 'f.txt'), { instanceOf: UserError, message: /f\.txt, line 2: "nan" is not a number/ });
});

test('pythonFixed rounds halfway cases to even and keeps the sign of zero, like Python', (t) => {
  t.is(pythonFixed(0.0625, 3), '0.062');
  t.is(pythonFixed(0.1875, 3), '0.188');
  t.is(pythonFixed(10.25, 1), '10.2');
  t.is(pythonFixed(10.75, 1), '10.8');
  t.is(pythonFixed(0.15, 1), '0.1'); // 0.1499999999999999944…
  t.is(pythonFixed(2.5, 0), '2');
  t.is(pythonFixed(-0.25, 1), '-0.2');
  t.is(pythonFixed(-0, 1), '-0.0');
  t.is(pythonFixed(-0.01, 1), '-0.0');
  t.is(pythonFixed(123.456, 1), '123.5');
});

test('numpySum adds in numpy pairwise order (differs from a running sum in the last bits)', (t) => {
  const values = Array.from({ length: 300 }, (_, k) => 1 / (k + 1) + (k % 7) * 1e-3);
  let running = 0;
  for (const v of values) running += v;
  const pairwise = numpySum(values);
  t.true(Math.abs(pairwise - running) < 1e-12);
  t.not(pairwise, running);
  // Below 8 values numpy adds in order.
  t.is(numpySum([0.1, 0.2, 0.3]), 0.1 + 0.2 + 0.3);
  // 8…128 values: eight running sums, combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the rest.
  const ten = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
  t.is(numpySum(ten), ((0.1 + 0.2) + (0.3 + 0.4)) + ((0.5 + 0.6) + (0.7 + 0.8)) + 0.9 + 1.0);
  t.is(numpyMean(ten), numpySum(ten) / 10);
  t.true(Number.isNaN(numpyMean([])));
});

test('evaluateVocPredictions: model boxes equal to the training boxes score 100 on a VOC2007 set', (t) => {
  const objects = [
    { cls: 'dog', classIndex: 1, box: [9, 19, 40, 60] as Box, vocBox: [10, 20, 40, 60] as Box, difficult: false, truncated: false },
    { cls: 'cat', classIndex: 0, box: [0, 0, 5, 5] as Box, vocBox: [1, 1, 5, 5] as Box, difficult: true, truncated: false },
  ];
  const dataset = { parts: [{ year: 'VOC2007', split: 'test' }], classes: ['cat', 'dog'], images: [{ id: '000001', year: 'VOC2007', width: 64, height: 64, objects }] };
  const predictions = [{ imageId: '000001', boxes: [9, 19, 40, 60, 0, 0, 5, 5], scores: [0.9, 0.8], classes: [1, 0] }];
  const result = evaluateVocPredictions(dataset, predictions);
  t.is(result.metric, '11-point');
  t.true(Math.abs(result.perClass[1]!.AP - 100) < 1e-9);
  // cat has only a difficult object: its detection is ignored, recall 0/0, 11-point AP 0.
  t.is(result.perClass[0]!.AP, 0);
  t.is(evaluateVocPredictions({ ...dataset, parts: [{ year: 'VOC2012', split: 'val' }] }, predictions).metric, 'area');
});

// The JS halves of Faster R-CNN against hand-worked numbers and detectron2's own test values:
// anchors, box coder, IoU, matcher, label sampling, NMS, proposal selection, anchor and
// proposal targets, the solver's learning rate, and the input resize and flip.
import test from 'ava';
import { Rng } from '@sempair/core';
import {
  batchedNms, BoxCoder, boxIou, cellAnchors, DEFAULT_SCALE_CLAMP, gridAnchors, Matcher, nms, pairwiseIou,
  ROI_BOX_WEIGHTS, RPN_BOX_WEIGHTS, rpnTargets, sampleProposals, selectProposals, subsampleLabels,
  type RoiHeadsConfig, type RpnConfig,
} from '../src/model/index.js';
import { detectionLr, type SolverSettings } from '../src/train/solver.js';
import { prepareImage, shortestEdgeShape } from '../src/train/image-transforms.js';

function near(t: import('ava').ExecutionContext, actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-9): void {
  t.is(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) t.true(Math.abs(actual[i]! - expected[i]!) <= tol, `[${i}] ${actual[i]} vs ${expected[i]}`);
}

test("anchors: detectron2's test_default_anchor_generator values (sizes outer, ratios inner, x before y)", (t) => {
  // detectron2 tests/modeling/test_anchor_generator.py: sizes (32, 64), ratios (0.25, 1, 4), stride 4, a 1×2 map.
  const anchors = gridAnchors(cellAnchors([32, 64], [0.25, 1, 4]), 1, 2, 4);
  near(t, anchors, [
    -32, -8, 32, 8, -16, -16, 16, 16, -8, -32, 8, 32, -64, -16, 64, 16, -32, -32, 32, 32, -16, -64, 16, 64,
    -28, -8, 36, 8, -12, -16, 20, 16, -4, -32, 12, 32, -60, -16, 68, 16, -28, -32, 36, 32, -12, -64, 20, 64,
  ]);
  // The MoCo/C4 default: 15 anchors per location with area size² and h/w = ratio.
  const cell = cellAnchors([32, 64, 128, 256, 512], [0.5, 1, 2]);
  t.is(cell.length / 4, 15);
  const [x1, y1, x2, y2] = cell.subarray(0, 4);
  near(t, [(x2! - x1!) * (y2! - y1!), (y2! - y1!) / (x2! - x1!)], [32 * 32, 0.5], 1e-9);
});

test('box coder: deltas by hand, exact round trip, and the dw/dh clamp at log(1000/16)', (t) => {
  const coder = new BoxCoder(ROI_BOX_WEIGHTS);
  const src = [0, 0, 10, 10];
  const target = [2, 3, 12, 18];
  // centres (5, 5) → (7, 10.5); sizes 10×10 → 10×15.
  const d = coder.encode(src, target);
  near(t, d, [10 * 0.2, 10 * 0.55, 5 * Math.log(1), 5 * Math.log(1.5)]);
  near(t, coder.decode(d, src), target, 1e-12);
  // Class-specific layout: two classes' deltas for one box.
  near(t, coder.decode([...d, 0, 0, 0, 0], src, 2), [...target, ...src], 1e-12);
  const huge = new BoxCoder(RPN_BOX_WEIGHTS).decode([0, 0, 100, 0], src);
  t.true(Math.abs((huge[2]! - huge[0]!) - 10 * Math.exp(DEFAULT_SCALE_CLAMP)) < 1e-6, 'dw is clamped before exp');
});

test('IoU: no +1 on widths, 0 when disjoint or touching', (t) => {
  near(t, [boxIou([0, 0, 10, 10], 0, [5, 0, 15, 10], 0)], [50 / 150]);
  t.is(boxIou([0, 0, 10, 10], 0, [10, 0, 20, 10], 0), 0);
  near(t, pairwiseIou([0, 0, 2, 2, 0, 0, 4, 4], [0, 0, 2, 2]), [1, 0.25]);
});

test('matcher: thresholds as half-open intervals, low-quality matches, and no ground truth', (t) => {
  const m = new Matcher([0.3, 0.7], [0, -1, 1], true);
  // 2 ground truths × 5 predictions.
  const iou = Float64Array.from([
    0.8, 0.7, 0.5, 0.1, 0.0,
    0.1, 0.2, 0.3, 0.29, 0.4,
  ]);
  const { matches, labels } = m.match(iou, 2, 5);
  t.deepEqual(Array.from(matches), [0, 0, 0, 1, 1]);
  // 0.8 ≥ 0.7 and exactly 0.7 positive; 0.5 ignored; 0.29 negative; 0.4 is the best for gt 1 → positive.
  t.deepEqual(Array.from(labels), [1, 1, -1, 0, 1]);
  t.deepEqual(Array.from(new Matcher([0.3, 0.7], [0, -1, 1], false).match(iou, 2, 5).labels), [1, 1, -1, 0, -1]);
  const none = m.match(new Float64Array(0), 0, 3);
  t.deepEqual(Array.from(none.labels), [0, 0, 0]);
});

test('label sampling: at most total·fraction positives, negatives fill up, ignored never drawn, seeded', (t) => {
  const labels = [...Array(10).fill(1), ...Array(100).fill(0), ...Array(50).fill(-1)];
  const a = subsampleLabels(labels, 16, 0.25, 0, new Rng(1));
  t.is(a.positive.length, 4);
  t.is(a.negative.length, 12);
  t.true(Array.from(a.positive).every((i) => labels[i] === 1));
  t.true(Array.from(a.negative).every((i) => labels[i] === 0));
  t.is(new Set(a.negative).size, 12, 'without replacement');
  const b = subsampleLabels(labels, 16, 0.25, 0, new Rng(1));
  t.deepEqual(b, a);
  const few = subsampleLabels([1, 0, 0, -1], 16, 0.5, 0, new Rng(2));
  t.is(few.positive.length, 1);
  t.is(few.negative.length, 2, 'fewer than asked when there are not enough');
});

test('NMS: by score, suppresses IoU strictly above the threshold, per class in batchedNms', (t) => {
  const boxes = [0, 0, 10, 10, 1, 0, 11, 10, 1, 0, 11, 5, 50, 50, 60, 60];
  const scores = [0.9, 0.95, 0.5, 0.1];
  // IoU(1, 0) = 90/110 = 0.818 → box 0 suppressed; IoU(2, 1) = 50/100 = 0.5 exactly.
  t.deepEqual(Array.from(nms(boxes, scores, 0.5)), [1, 2, 3], 'IoU equal to the threshold is kept');
  t.deepEqual(Array.from(nms(boxes, scores, 0.49)), [1, 3]);
  t.deepEqual(Array.from(nms(boxes, scores, 0.5, 2)), [1, 2], 'limit');
  t.deepEqual(Array.from(batchedNms(boxes, scores, [0, 1, 1, 0], 0.5)), [1, 0, 2, 3], 'different classes never suppress each other');
});

const RPN: RpnConfig = {
  anchorSizes: [8], aspectRatios: [1], iouThresholds: [0.3, 0.7], batchSizePerImage: 8, positiveFraction: 0.5,
  preNmsTopKTrain: 3, postNmsTopKTrain: 2, preNmsTopKTest: 3, postNmsTopKTest: 2, nmsThreshold: 0.7, smoothL1Beta: 0,
};

test('proposal selection: top-k by objectness, decoded, clipped, empty boxes dropped, NMS, post-NMS top-k', (t) => {
  // Four anchors of one image; zero deltas keep the anchors.
  const anchors = Float64Array.from([0, 0, 10, 10, 1, 0, 11, 10, 20, 20, 30, 30, -5, -5, -1, 8]);
  const logits = [2, 3, 1, 5];
  const [p] = selectProposals(anchors, logits, new Float64Array(16), [{ height: 25, width: 25 }], 4, 3, 0.7);
  // Anchor 3 clips to an empty box; anchor 1 suppresses 0; anchor 2 is clipped to [20, 20, 25, 25].
  near(t, p!.boxes, [1, 0, 11, 10, 20, 20, 25, 25]);
  near(t, p!.logits, [3, 1]);
  // preNms = 2 keeps only anchors 3 and 1 before NMS.
  const [q] = selectProposals(anchors, logits, new Float64Array(16), [{ height: 25, width: 25 }], 2, 3, 0.7);
  near(t, q!.logits, [3]);
});

test('anchor targets: positives carry deltas to their ground truth, everything sampled is masked, counts add up', (t) => {
  const anchors = gridAnchors(cellAnchors([8], [1]), 4, 4, 4, 0.5);
  const gt = [Float64Array.from([0, 0, 9, 9]), new Float64Array(0)];
  const targets = rpnTargets(anchors, gt, RPN, new Rng(3));
  const perImage = anchors.length / 4;
  const coder = new BoxCoder(RPN_BOX_WEIGHTS);
  let positives = 0;
  for (let a = 0; a < perImage; a++) {
    if (targets.labels[a] !== 1) continue;
    positives++;
    t.true(boxIou(anchors, a, gt[0]!, 0) >= 0.3, 'a positive overlaps its ground truth');
    near(t, targets.deltas.subarray(4 * a, 4 * a + 4), coder.encode(anchors.subarray(4 * a, 4 * a + 4), gt[0]!), 1e-6);
  }
  t.true(positives >= 1);
  t.is(positives, targets.positives);
  t.is(targets.labels.subarray(perImage).reduce((s, v) => s + v, 0), 0, 'no positive without ground truth');
  t.is(targets.sampled.subarray(perImage).reduce((s, v) => s + v, 0), 8, 'an image without objects samples 8 negatives');
  t.is(targets.sampled.reduce((s, v) => s + v, 0), targets.positives + targets.negatives);
});

const ROI: RoiHeadsConfig = {
  classes: 3, batchSizePerImage: 8, positiveFraction: 0.25, iouThreshold: 0.5, appendGroundTruth: true,
  poolerResolution: 2, poolerSamplingRatio: 0, smoothL1Beta: 0, scoreThreshold: 0.05, nmsThreshold: 0.5, detectionsPerImage: 100,
};

test('proposal sampling: ground truth appended, foreground at IoU ≥ 0.5 with its class, background is class K', (t) => {
  const proposals = [{ boxes: Float64Array.from([0, 0, 10, 10, 0, 0, 10, 4, 30, 30, 40, 40, 1, 1, 11, 11]), logits: new Float64Array(4) }];
  const s = sampleProposals(proposals, [Float64Array.from([0, 0, 10, 10])], [Int32Array.from([2])], ROI, new Rng(4));
  // Foreground candidates: proposals 0 and 3 and the appended ground truth; at most 8·0.25 = 2.
  t.is(s.foreground, 2);
  t.is(s.classes.length, 4, '2 foreground + the 2 background proposals');
  t.deepEqual(Array.from(s.classes.subarray(0, 2)), [2, 2]);
  t.deepEqual(Array.from(s.classes.subarray(2)), [3, 3]);
  const coder = new BoxCoder(ROI_BOX_WEIGHTS);
  for (let r = 0; r < 2; r++) near(t, s.deltas.subarray(4 * r, 4 * r + 4), coder.encode(s.boxes.subarray(4 * r, 4 * r + 4), [0, 0, 10, 10]), 1e-9);
  t.true(s.deltas.subarray(8).every((v) => v === 0));
});

test("learning rate: detectron2's WarmupMultiStepLR (linear from 0.001, ×0.1 at 18k and 22k)", (t) => {
  const s: SolverSettings = { iterations: 24000, baseLr: 0.02, steps: [18000, 22000], gamma: 0.1, warmupIterations: 100, warmupFactor: 0.001, momentum: 0.9, weightDecay: 1e-4 };
  near(t, [0, 50, 99, 100, 17999, 18000, 21999, 22000, 23999].map((i) => detectionLr(i, s)), [
    0.02 * 0.001, 0.02 * (0.001 * 0.5 + 0.5), 0.02 * (0.001 * 0.01 + 0.99), 0.02, 0.02, 0.002, 0.002, 0.0002, 0.0002,
  ], 1e-12);
});

test('ResizeShortestEdge output shapes, and boxes through resize and flip', (t) => {
  t.deepEqual(shortestEdgeShape(375, 500, 800, 1333), [800, 1067]);
  t.deepEqual(shortestEdgeShape(500, 375, 480, 1333), [640, 480]);
  t.deepEqual(shortestEdgeShape(100, 1000, 800, 1333), [133, 1333], 'the longer side is capped');
  const image = { data: new Uint8Array(50 * 100 * 3).fill(128), width: 100, height: 50 };
  const object = { cls: 'a', classIndex: 1, box: [10, 20, 30, 40] as [number, number, number, number], vocBox: [11, 21, 30, 40] as [number, number, number, number], difficult: false, truncated: false };
  const norm = { mean: [128, 128, 128] as const, std: [2, 2, 2] as const };
  const flipped = prepareImage(image, [object], { shortSide: 100, maxSize: 1000, flip: true, normalization: norm });
  t.is(flipped.width, 200);
  t.is(flipped.height, 100);
  near(t, flipped.boxes, [200 - 60, 40, 200 - 20, 80]);
  t.true(flipped.pixels.every((v) => v === 0), '(128 − 128) / 2');
  const outside = { ...object, box: [-5, -5, 0, 10] as [number, number, number, number] };
  t.is(prepareImage(image, [outside], { shortSide: 50, maxSize: 1000, flip: false, normalization: norm }).boxes.length, 0, 'a box clipped to nothing is dropped');
});

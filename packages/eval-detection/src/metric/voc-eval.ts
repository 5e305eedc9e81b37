import { UserError } from '@sempair/core';
import type { Box } from '../voc/voc-types.js';
import { vocAp } from './voc-ap.js';

/**
 * detectron2's `voc_eval` (from py-faster-rcnn), for one class at one or more IoU thresholds.
 *
 * Coordinates are those of the VOC devkit files, on both sides:
 * - ground truth: the XML's integer, 1-based, inclusive [xmin, ymin, xmax, ymax];
 * - detections: the results-file numbers `xmin ymin xmax ymax`, i.e. a model's 0-based
 *   continuous box with 1 added to xmin and ymin (detectron2's evaluator does this when it
 *   writes the files; `vocDetectionsFromPredictions` does it for in-memory predictions).
 * Widths, heights and areas count pixels inclusively (+1).
 *
 * The rules: detections sorted by score, highest first (ties keep their input order: a
 * stable sort; detectron2's np.argsort(-score) uses numpy's unstable quicksort, whose
 * order among equal scores depends on numpy's build); each detection is compared with
 * every ground-truth object of its image and class, and only the highest-IoU one (the
 * first on a tie) counts; IoU > threshold, strictly, is a match; a match to a difficult
 * object is neither a true nor a false positive; a match to an object already taken is a
 * false positive (a duplicate); recall is over non-difficult objects only.
 */

/** A ground-truth image: its id and every annotated object (all classes). */
export interface VocGroundTruthImage {
  readonly id: string;
  readonly objects: readonly { readonly cls: string; readonly vocBox: Box; readonly difficult: boolean }[];
}

/** One detection of one class, in results-file coordinates (see above). */
export interface VocDetection {
  imageId: string;
  score: number;
  box: Box;
}

export interface VocClassCurve {
  /** AP in [0, 1] (NaN: area AP of a class with detections but no non-difficult object). */
  ap: number;
  recall: Float64Array;
  precision: Float64Array;
  /** Non-difficult objects of the class (VOC's npos). */
  positives: number;
  truePositives: number;
  falsePositives: number;
  /** Per detection in score order: 1 true positive, -1 false positive, 0 ignored (difficult). */
  outcomes: Int8Array;
  /** The detections' input indices in score order. */
  order: readonly number[];
}

/** detectron2's thresholds: range(50, 100, 5) / 100.0. */
export const VOC_IOU_THRESHOLDS: readonly number[] = Array.from({ length: 10 }, (_, k) => (50 + 5 * k) / 100);

interface ClassGroundTruth {
  boxes: Box[];
  difficult: boolean[];
}

/** For each detection (in score order): its best IoU and which object gave it. */
interface Overlaps {
  order: number[];
  ovmax: Float64Array;
  jmax: Int32Array;
  perImage: (ClassGroundTruth | undefined)[];
}

function overlaps(byImage: Map<string, ClassGroundTruth>, detections: readonly VocDetection[], cls: string): Overlaps {
  const order = detections.map((_, k) => k).sort((a, b) => detections[b]!.score - detections[a]!.score || a - b);
  const ovmax = new Float64Array(order.length);
  const jmax = new Int32Array(order.length);
  const perImage: (ClassGroundTruth | undefined)[] = [];
  for (const [d, k] of order.entries()) {
    const detection = detections[k]!;
    const gt = byImage.get(detection.imageId);
    if (!gt) {
      throw new UserError(
        `a ${cls} detection is for image ${detection.imageId}, which is not in the evaluated image set`,
        'evaluate against the split the detections were made on (e.g. --split test)',
      );
    }
    perImage.push(gt);
    const [bx0, by0, bx1, by1] = detection.box;
    let best = -Infinity;
    let at = 0;
    for (let j = 0; j < gt.boxes.length; j++) {
      const [gx0, gy0, gx1, gy1] = gt.boxes[j]!;
      // The order of operations follows voc_eval, so the float64 results are identical.
      const iw = Math.max(Math.min(gx1, bx1) - Math.max(gx0, bx0) + 1.0, 0.0);
      const ih = Math.max(Math.min(gy1, by1) - Math.max(gy0, by0) + 1.0, 0.0);
      const inters = iw * ih;
      const uni = (bx1 - bx0 + 1.0) * (by1 - by0 + 1.0) + (gx1 - gx0 + 1.0) * (gy1 - gy0 + 1.0) - inters;
      const overlap = inters / uni;
      if (Number.isNaN(overlap)) {
        // np.max and np.argmax stop at the first NaN (only a box of negative size gets here).
        best = NaN;
        at = j;
        break;
      }
      if (overlap > best) {
        best = overlap;
        at = j;
      }
    }
    ovmax[d] = best;
    jmax[d] = at;
  }
  return { order, ovmax, jmax, perImage };
}

function curveAt(o: Overlaps, threshold: number, positives: number, use07Metric: boolean): VocClassCurve {
  const n = o.order.length;
  const taken = new Map<ClassGroundTruth, boolean[]>();
  const recall = new Float64Array(n);
  const precision = new Float64Array(n);
  const outcomes = new Int8Array(n);
  let tp = 0;
  let fp = 0;
  for (let d = 0; d < n; d++) {
    const gt = o.perImage[d]!;
    if (o.ovmax[d]! > threshold) {
      const j = o.jmax[d]!;
      if (!gt.difficult[j]) {
        let det = taken.get(gt);
        if (!det) taken.set(gt, (det = new Array<boolean>(gt.boxes.length).fill(false)));
        if (!det[j]) {
          tp += 1;
          det[j] = true;
          outcomes[d] = 1;
        } else {
          fp += 1;
          outcomes[d] = -1;
        }
      }
    } else {
      fp += 1;
      outcomes[d] = -1;
    }
    recall[d] = tp / positives;
    precision[d] = tp / Math.max(tp + fp, Number.EPSILON);
  }
  return { ap: vocAp(recall, precision, use07Metric), recall, precision, positives, truePositives: tp, falsePositives: fp, outcomes, order: o.order };
}

/** The ground truth of one class, per image, and its count of non-difficult objects. */
function classGroundTruth(images: readonly VocGroundTruthImage[], cls: string): { byImage: Map<string, ClassGroundTruth>; positives: number } {
  const byImage = new Map<string, ClassGroundTruth>();
  let positives = 0;
  for (const image of images) {
    if (byImage.has(image.id)) throw new UserError(`image ${image.id} is listed twice in the evaluated image set`, 'list each image once');
    const gt: ClassGroundTruth = { boxes: [], difficult: [] };
    for (const object of image.objects) {
      if (object.cls !== cls) continue;
      gt.boxes.push(object.vocBox);
      gt.difficult.push(object.difficult);
      if (!object.difficult) positives++;
    }
    byImage.set(image.id, gt);
  }
  return { byImage, positives };
}

/** One class's curves at each of `thresholds` (IoU > threshold is a match). */
export function vocEvalClass(
  images: readonly VocGroundTruthImage[],
  cls: string,
  detections: readonly VocDetection[],
  thresholds: readonly number[],
  use07Metric: boolean,
): VocClassCurve[] {
  const { byImage, positives } = classGroundTruth(images, cls);
  const o = overlaps(byImage, detections, cls);
  return thresholds.map((threshold) => curveAt(o, threshold, positives, use07Metric));
}

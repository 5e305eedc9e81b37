import { UserError } from '@sempair/core';
import { numpyMean } from './numpy-sum.js';
import { VOC_IOU_THRESHOLDS, vocEvalClass, type VocDetection, type VocGroundTruthImage } from './voc-eval.js';

/**
 * detectron2's `PascalVOCDetectionEvaluator.evaluate`: for every listed class and IoU
 * threshold 0.50, 0.55, …, 0.95, the VOC AP (×100); AP50 and AP75 are the means over the
 * classes at 0.5 and 0.75, AP the mean of the ten per-threshold means. Means are numpy's
 * (`np.mean`), so the numbers equal detectron2's to the bit.
 */
export interface VocMetricInput {
  /** The evaluated image set with every object (all classes; difficult flags kept). */
  images: readonly VocGroundTruthImage[];
  /** The classes to evaluate; the summary is the mean over exactly these. */
  classes: readonly string[];
  /** Detections per class name, in results-file coordinates; a class absent here has none. */
  detections: ReadonlyMap<string, readonly VocDetection[]>;
  /** VOC2007's 11-point AP (detectron2: year 2007) instead of the area AP (2012). */
  use07Metric: boolean;
}

export interface VocClassResult {
  cls: string;
  /** Mean over the ten thresholds, ×100. */
  AP: number;
  AP50: number;
  AP75: number;
  /** AP ×100 at each of VOC_IOU_THRESHOLDS. */
  apByThreshold: number[];
  /** Non-difficult ground-truth objects. */
  positives: number;
  detections: number;
}

export interface VocMetricResult {
  AP: number;
  AP50: number;
  AP75: number;
  metric: '11-point' | 'area';
  thresholds: readonly number[];
  perClass: VocClassResult[];
}

export function evaluateVoc(input: VocMetricInput): VocMetricResult {
  if (input.classes.length === 0) throw new UserError('no class to evaluate', 'list at least one class');
  if (new Set(input.classes).size !== input.classes.length) throw new UserError(`the class list names a class twice: ${input.classes.join(', ')}`, 'list each class once');
  const perClass = input.classes.map((cls): VocClassResult => {
    const detections = input.detections.get(cls) ?? [];
    for (const d of detections) {
      if (!Number.isFinite(d.score) || !d.box.every(Number.isFinite)) {
        throw new UserError(`a ${cls} detection for image ${d.imageId} has a score or box that is not a finite number`, 'check the detector output for NaN');
      }
    }
    const curves = vocEvalClass(input.images, cls, detections, VOC_IOU_THRESHOLDS, input.use07Metric);
    const apByThreshold = curves.map((c) => c.ap * 100);
    return {
      cls,
      AP: numpyMean(apByThreshold),
      AP50: apByThreshold[0]!,
      AP75: apByThreshold[5]!,
      apByThreshold,
      positives: curves[0]!.positives,
      detections: detections.length,
    };
  });
  const perThreshold = VOC_IOU_THRESHOLDS.map((_, k) => numpyMean(perClass.map((c) => c.apByThreshold[k]!)));
  return {
    AP: numpyMean(perThreshold),
    AP50: perThreshold[0]!,
    AP75: perThreshold[5]!,
    metric: input.use07Metric ? '11-point' : 'area',
    thresholds: VOC_IOU_THRESHOLDS,
    perClass,
  };
}

/** detectron2's choice of AP: the 11-point metric for VOC2007, the area for other years. */
export function usesVoc07Metric(year: string | number): boolean {
  return String(year).replace(/^VOC/, '') === '2007';
}

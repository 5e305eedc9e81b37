import { numpySum } from './numpy-sum.js';

/**
 * VOC average precision from a class's recall and precision curves, as detectron2's
 * `voc_ap` computes it (float64 throughout):
 * - `use07Metric` (VOC2007 test): the 11-point interpolated AP, the mean over the recall
 *   points t = k·0.1 (k = 0…10, computed as k·0.1 in float64, like np.arange(0, 1.1, 0.1))
 *   of the highest precision at recall ≥ t, or 0 where no point reaches t;
 * - otherwise (VOC2010+): the area under the precision envelope, summed where recall changes.
 * NaN recall (a class with no non-difficult object, recall = 0/0) stays NaN as in numpy: it
 * never reaches a recall point (11-point AP 0) and makes the area AP NaN.
 */
export function vocAp(recall: ArrayLike<number>, precision: ArrayLike<number>, use07Metric: boolean): number {
  const n = recall.length;
  if (use07Metric) {
    let ap = 0;
    for (let k = 0; k < 11; k++) {
      const t = k * 0.1;
      let p = -Infinity;
      for (let i = 0; i < n; i++) if (recall[i]! >= t && precision[i]! > p) p = precision[i]!;
      ap = ap + (p === -Infinity ? 0 : p) / 11;
    }
    return ap;
  }
  // Sentinels, then the precision envelope (max to the right), then Δrecall · precision.
  const mrec = new Float64Array(n + 2);
  const mpre = new Float64Array(n + 2);
  for (let i = 0; i < n; i++) {
    mrec[i + 1] = recall[i]!;
    mpre[i + 1] = precision[i]!;
  }
  mrec[n + 1] = 1;
  for (let i = n + 1; i > 0; i--) mpre[i - 1] = npMaximum(mpre[i - 1]!, mpre[i]!);
  const terms: number[] = [];
  for (let i = 0; i < n + 1; i++) if (mrec[i + 1] !== mrec[i]) terms.push((mrec[i + 1]! - mrec[i]!) * mpre[i + 1]!);
  return numpySum(terms);
}

/** np.maximum: NaN if either is NaN. */
function npMaximum(a: number, b: number): number {
  return Number.isNaN(a) || Number.isNaN(b) ? NaN : a >= b ? a : b;
}

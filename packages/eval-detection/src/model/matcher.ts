/**
 * detectron2's Matcher: each prediction (anchor or proposal) is matched to the ground-truth box
 * it overlaps most, and labelled by which interval of `thresholds` that IoU falls in
 * (intervals [t_i, t_{i+1}), with −∞ and +∞ added at the ends). With `allowLowQuality`, every
 * prediction that ties for the highest IoU of some ground truth is labelled 1 as well, keeping
 * its own best match (detectron2's rule, which differs from Detectron1's).
 */
export interface MatchResult {
  /** Index of the matched ground truth per prediction (0 when there is none). */
  matches: Int32Array;
  /** The interval's label per prediction. */
  labels: Int8Array;
}

export class Matcher {
  constructor(
    readonly thresholds: readonly number[],
    readonly labels: readonly number[],
    readonly allowLowQuality = false,
  ) {
    if (labels.length !== thresholds.length + 1) throw new Error('Matcher needs one more label than thresholds');
  }

  /** `iou` is [gt rows × predictions columns]. Without ground truth everything gets labels[0]. */
  match(iou: Float64Array, gtCount: number, predictions: number): MatchResult {
    const matches = new Int32Array(predictions);
    const labels = new Int8Array(predictions).fill(this.labels[0]!);
    if (gtCount === 0) return { matches, labels };
    const best = new Float64Array(predictions).fill(-Infinity);
    for (let g = 0; g < gtCount; g++) {
      const row = g * predictions;
      for (let p = 0; p < predictions; p++) {
        if (iou[row + p]! > best[p]!) {
          best[p] = iou[row + p]!;
          matches[p] = g;
        }
      }
    }
    for (let p = 0; p < predictions; p++) {
      let interval = 0;
      while (interval < this.thresholds.length && best[p]! >= this.thresholds[interval]!) interval++;
      labels[p] = this.labels[interval]!;
    }
    if (this.allowLowQuality) {
      for (let g = 0; g < gtCount; g++) {
        const row = g * predictions;
        let highest = -Infinity;
        for (let p = 0; p < predictions; p++) highest = Math.max(highest, iou[row + p]!);
        for (let p = 0; p < predictions; p++) if (iou[row + p] === highest) labels[p] = 1;
      }
    }
    return { matches, labels };
  }
}

import { boxIou } from './boxes.js';

/** Indexes of `scores` from highest to lowest (stable for ties). */
export function argsortDescending(scores: ArrayLike<number>, indexes?: ArrayLike<number>): Int32Array {
  const order = indexes ? Int32Array.from(indexes) : Int32Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/**
 * Greedy non-maximum suppression as torchvision's nms: visit boxes by decreasing score, keep a
 * box unless its IoU with an already kept box is greater than `threshold`. Returns the kept
 * indexes in decreasing score order, at most `limit` of them.
 */
export function nms(boxes: ArrayLike<number>, scores: ArrayLike<number>, threshold: number, limit = Infinity, candidates?: ArrayLike<number>): Int32Array {
  const order = argsortDescending(scores, candidates);
  const kept: number[] = [];
  for (let k = 0; k < order.length && kept.length < limit; k++) {
    const i = order[k]!;
    let keep = true;
    for (let j = 0; j < kept.length; j++) {
      if (boxIou(boxes, i, boxes, kept[j]!) > threshold) {
        keep = false;
        break;
      }
    }
    if (keep) kept.push(i);
  }
  return Int32Array.from(kept);
}

/** NMS within each category separately (torchvision's batched_nms), merged by decreasing score. */
export function batchedNms(boxes: ArrayLike<number>, scores: ArrayLike<number>, categories: ArrayLike<number>, threshold: number): Int32Array {
  const byCategory = new Map<number, number[]>();
  for (let i = 0; i < scores.length; i++) {
    const c = categories[i]!;
    const list = byCategory.get(c);
    if (list) list.push(i);
    else byCategory.set(c, [i]);
  }
  const kept: number[] = [];
  for (const members of byCategory.values()) kept.push(...nms(boxes, scores, threshold, Infinity, members));
  return argsortDescending(scores, kept);
}

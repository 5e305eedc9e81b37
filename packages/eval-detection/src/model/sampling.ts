import type { Rng } from '@sempair/core';

/**
 * detectron2's subsample_labels: up to `total · positiveFraction` random positives (labels that
 * are neither −1 nor `backgroundLabel`), then random negatives (== backgroundLabel) to fill
 * `total`. Returns indexes in the order drawn.
 */
export function subsampleLabels(
  labels: ArrayLike<number>,
  total: number,
  positiveFraction: number,
  backgroundLabel: number,
  rng: Rng,
): { positive: Int32Array; negative: Int32Array } {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l === backgroundLabel) neg.push(i);
    else if (l !== -1) pos.push(i);
  }
  const numPos = Math.min(pos.length, Math.floor(total * positiveFraction));
  const numNeg = Math.min(neg.length, total - numPos);
  return { positive: drawWithoutReplacement(pos, numPos, rng), negative: drawWithoutReplacement(neg, numNeg, rng) };
}

function drawWithoutReplacement(items: number[], count: number, rng: Rng): Int32Array {
  const order = rng.permutation(items.length);
  const out = new Int32Array(count);
  for (let k = 0; k < count; k++) out[k] = items[order[k]!]!;
  return out;
}

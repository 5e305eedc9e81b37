/**
 * Box geometry in detectron2's conventions: boxes are [x1, y1, x2, y2] in continuous pixel
 * coordinates (0-based, the whole W×H image is [0, 0, W, H]), widths are x2 − x1 (no +1), and
 * a list of n boxes is a flat array of 4n numbers. All arithmetic here is float64.
 */
export type BoxList = Float64Array;

export function boxCount(boxes: ArrayLike<number>): number {
  return boxes.length >> 2;
}

export function boxArea(boxes: ArrayLike<number>, i: number): number {
  return (boxes[4 * i + 2]! - boxes[4 * i]!) * (boxes[4 * i + 3]! - boxes[4 * i + 1]!);
}

/** IoU of box i of `a` and box j of `b` (detectron2's pairwise_iou, torchvision's box_iou). */
export function boxIou(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const w = Math.min(a[4 * i + 2]!, b[4 * j + 2]!) - Math.max(a[4 * i]!, b[4 * j]!);
  const h = Math.min(a[4 * i + 3]!, b[4 * j + 3]!) - Math.max(a[4 * i + 1]!, b[4 * j + 1]!);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (boxArea(a, i) + boxArea(b, j) - inter);
}

/** IoU matrix [a rows × b columns], row-major. */
export function pairwiseIou(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const n = boxCount(a);
  const m = boxCount(b);
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = boxIou(a, i, b, j);
  return out;
}

/** Clamps x into [0, width] and y into [0, height], in place (detectron2 Boxes.clip). */
export function clipBoxes(boxes: Float64Array, height: number, width: number): Float64Array {
  for (let i = 0; i < boxes.length; i += 4) {
    boxes[i] = Math.min(Math.max(boxes[i]!, 0), width);
    boxes[i + 1] = Math.min(Math.max(boxes[i + 1]!, 0), height);
    boxes[i + 2] = Math.min(Math.max(boxes[i + 2]!, 0), width);
    boxes[i + 3] = Math.min(Math.max(boxes[i + 3]!, 0), height);
  }
  return boxes;
}

/** Whether box i is wider and taller than `threshold` (detectron2 Boxes.nonempty). */
export function boxNonEmpty(boxes: ArrayLike<number>, i: number, threshold = 0): boolean {
  return boxes[4 * i + 2]! - boxes[4 * i]! > threshold && boxes[4 * i + 3]! - boxes[4 * i + 1]! > threshold;
}

/** The boxes at `indexes`, in that order. */
export function selectBoxes(boxes: ArrayLike<number>, indexes: ArrayLike<number>): Float64Array {
  const out = new Float64Array(indexes.length * 4);
  for (let k = 0; k < indexes.length; k++) for (let c = 0; c < 4; c++) out[4 * k + c] = boxes[4 * indexes[k]! + c]!;
  return out;
}

export function concatBoxes(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

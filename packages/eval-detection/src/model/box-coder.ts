/**
 * detectron2's Box2BoxTransform: the (dx, dy, dw, dh) parametrisation of R-CNN, with weights
 * (wx, wy, ww, wh) dividing the targets ((1, 1, 1, 1) for the RPN, (10, 10, 5, 5) for the ROI
 * heads) and dw, dh clamped at log(1000/16) before exp when decoding.
 */
export const DEFAULT_SCALE_CLAMP = Math.log(1000 / 16);

export type BoxWeights = readonly [number, number, number, number];

export const RPN_BOX_WEIGHTS: BoxWeights = [1, 1, 1, 1];
export const ROI_BOX_WEIGHTS: BoxWeights = [10, 10, 5, 5];

export class BoxCoder {
  constructor(
    readonly weights: BoxWeights,
    readonly scaleClamp = DEFAULT_SCALE_CLAMP,
  ) {}

  /** Deltas that turn box i of `src` into box i of `target` (both n×4), as a flat n×4 array. */
  encode(src: ArrayLike<number>, target: ArrayLike<number>): Float64Array {
    const [wx, wy, ww, wh] = this.weights;
    const out = new Float64Array(src.length);
    for (let i = 0; i < src.length; i += 4) {
      const sw = src[i + 2]! - src[i]!;
      const sh = src[i + 3]! - src[i + 1]!;
      const sx = src[i]! + 0.5 * sw;
      const sy = src[i + 1]! + 0.5 * sh;
      const tw = target[i + 2]! - target[i]!;
      const th = target[i + 3]! - target[i + 1]!;
      const tx = target[i]! + 0.5 * tw;
      const ty = target[i + 1]! + 0.5 * th;
      out[i] = (wx * (tx - sx)) / sw;
      out[i + 1] = (wy * (ty - sy)) / sh;
      out[i + 2] = ww * Math.log(tw / sw);
      out[i + 3] = wh * Math.log(th / sh);
    }
    return out;
  }

  /**
   * Applies deltas to boxes. `deltas` holds `perBox` groups of 4 per box (class-specific
   * regression: perBox = K), read from `deltas[offset + …]`; the output has the same layout.
   */
  decode(deltas: ArrayLike<number>, boxes: ArrayLike<number>, perBox = 1): Float64Array {
    const [wx, wy, ww, wh] = this.weights;
    const n = boxes.length >> 2;
    const out = new Float64Array(n * perBox * 4);
    for (let i = 0; i < n; i++) {
      const w = boxes[4 * i + 2]! - boxes[4 * i]!;
      const h = boxes[4 * i + 3]! - boxes[4 * i + 1]!;
      const cx = boxes[4 * i]! + 0.5 * w;
      const cy = boxes[4 * i + 1]! + 0.5 * h;
      for (let k = 0; k < perBox; k++) {
        const d = 4 * (i * perBox + k);
        const dx = deltas[d]! / wx;
        const dy = deltas[d + 1]! / wy;
        const dw = Math.min(deltas[d + 2]! / ww, this.scaleClamp);
        const dh = Math.min(deltas[d + 3]! / wh, this.scaleClamp);
        const px = dx * w + cx;
        const py = dy * h + cy;
        const pw = Math.exp(dw) * w;
        const ph = Math.exp(dh) * h;
        out[d] = px - 0.5 * pw;
        out[d + 1] = py - 0.5 * ph;
        out[d + 2] = px + 0.5 * pw;
        out[d + 3] = py + 0.5 * ph;
      }
    }
    return out;
  }
}

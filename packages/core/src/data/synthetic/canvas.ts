import type { Rgb } from './colour.js';

/** A distance field in pixel units over the canvas (pixel centres at i + 0.5). */
export type PixelSdf = (x: number, y: number) => number;

/**
 * A float RGB image (HWC, values nominally in [0, 1]) that layers are painted onto.
 * Painting is alpha blending with coverage from a distance field, which anti-aliases every
 * edge without supersampling — the cheap way to make 32×32 shapes look like objects.
 */
export class Canvas {
  readonly rgb: Float32Array;

  constructor(readonly size: number) {
    this.rgb = new Float32Array(size * size * 3);
  }

  /**
   * Blend `colour` with opacity `alpha` wherever `sdf` (pixels) is negative, within the box
   * [x0, x1) × [y0, y1) that must contain the shape (clipped to the canvas).
   */
  paint(sdf: PixelSdf, colour: Rgb, box: readonly [number, number, number, number], alpha = 1): void {
    const { size, rgb } = this;
    const x0 = Math.max(0, Math.floor(box[0]));
    const y0 = Math.max(0, Math.floor(box[1]));
    const x1 = Math.min(size, Math.ceil(box[2]));
    const y1 = Math.min(size, Math.ceil(box[3]));
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const d = sdf(x + 0.5, y + 0.5);
        if (d >= 0.5) continue;
        const a = (d <= -0.5 ? 1 : 0.5 - d) * alpha;
        const o = (y * size + x) * 3;
        rgb[o] = rgb[o]! + (colour[0] - rgb[o]!) * a;
        rgb[o + 1] = rgb[o + 1]! + (colour[1] - rgb[o + 1]!) * a;
        rgb[o + 2] = rgb[o + 2]! + (colour[2] - rgb[o + 2]!) * a;
      }
    }
  }

  /** Mean colour inside a box (clipped), to choose an object colour that stands out. */
  mean(box: readonly [number, number, number, number]): Rgb {
    const { size, rgb } = this;
    const x0 = Math.max(0, Math.floor(box[0]));
    const y0 = Math.max(0, Math.floor(box[1]));
    const x1 = Math.min(size, Math.ceil(box[2]));
    const y1 = Math.min(size, Math.ceil(box[3]));
    const sum: Rgb = [0, 0, 0];
    let n = 0;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const o = (y * size + x) * 3;
        sum[0] += rgb[o]!;
        sum[1] += rgb[o + 1]!;
        sum[2] += rgb[o + 2]!;
        n++;
      }
    }
    return n ? [sum[0] / n, sum[1] / n, sum[2] / n] : [0.5, 0.5, 0.5];
  }
}

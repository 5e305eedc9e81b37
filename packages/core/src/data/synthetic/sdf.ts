/**
 * Signed distance functions in 2-D (negative inside, positive outside, in the caller's units).
 * Shapes are built from these so that the renderer can anti-alias any edge from one number:
 * coverage = clamp(0.5 − distance_in_pixels, 0, 1). Formulas follow Inigo Quilez's 2-D SDFs.
 */

/** A shape as a distance field: (x, y) → signed distance. */
export type Sdf = (x: number, y: number) => number;

/** Euclidean length; Math.hypot is several times slower in V8 and this runs per pixel. */
export function length(x: number, y: number): number {
  return Math.sqrt(x * x + y * y);
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

export function circle(px: number, py: number, cx: number, cy: number, r: number): number {
  return length(px - cx, py - cy) - r;
}

/** Axis-aligned ellipse; an approximation (exact on the axes), good enough for edge coverage. */
export function ellipse(px: number, py: number, cx: number, cy: number, rx: number, ry: number): number {
  const k = length((px - cx) / rx, (py - cy) / ry);
  return (k - 1) * Math.min(rx, ry);
}

/** Axis-aligned box centred at (cx, cy) with half sizes (hx, hy). */
export function box(px: number, py: number, cx: number, cy: number, hx: number, hy: number): number {
  const dx = Math.abs(px - cx) - hx;
  const dy = Math.abs(py - cy) - hy;
  const ox = dx > 0 ? dx : 0;
  const oy = dy > 0 ? dy : 0;
  return length(ox, oy) + Math.min(Math.max(dx, dy), 0);
}

/** A segment from (ax, ay) to (bx, by) thickened by radius r (a capsule). */
export function segment(px: number, py: number, ax: number, ay: number, bx: number, by: number, r: number): number {
  const pax = px - ax;
  const pay = py - ay;
  const bax = bx - ax;
  const bay = by - ay;
  const len2 = bax * bax + bay * bay;
  const h = len2 > 0 ? clamp01((pax * bax + pay * bay) / len2) : 0;
  return length(pax - bax * h, pay - bay * h) - r;
}

/** A closed polygon given as flat [x0, y0, x1, y1, …] (any winding, simple polygons). */
export function polygon(px: number, py: number, v: ArrayLike<number>): number {
  const n = v.length >> 1;
  let d = (px - v[0]!) ** 2 + (py - v[1]!) ** 2;
  let s = 1;
  for (let i = 0, j = n - 1; i < n; j = i, i++) {
    const vix = v[2 * i]!;
    const viy = v[2 * i + 1]!;
    const ex = v[2 * j]! - vix;
    const ey = v[2 * j + 1]! - viy;
    const wx = px - vix;
    const wy = py - viy;
    const h = clamp01((wx * ex + wy * ey) / (ex * ex + ey * ey));
    const bx = wx - ex * h;
    const by = wy - ey * h;
    d = Math.min(d, bx * bx + by * by);
    // Winding test: flip the sign each time a horizontal ray from p crosses an edge.
    const c1 = py >= viy;
    const c2 = py < v[2 * j + 1]!;
    const c3 = ex * wy > ey * wx;
    if ((c1 && c2 && c3) || (!c1 && !c2 && !c3)) s = -s;
  }
  return s * Math.sqrt(d);
}

/** Regular star with `points` tips, outer radius r1 and inner radius r2, first tip pointing up. */
export function starVertices(points: number, r1: number, r2: number): Float64Array {
  const v = new Float64Array(points * 4);
  for (let k = 0; k < points * 2; k++) {
    const a = Math.PI / 2 + (k * Math.PI) / points;
    const r = k % 2 === 0 ? r1 : r2;
    v[2 * k] = r * Math.cos(a);
    v[2 * k + 1] = r * Math.sin(a);
  }
  return v;
}

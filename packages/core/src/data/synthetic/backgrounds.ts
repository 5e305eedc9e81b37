import type { Rng } from '../../rng.js';
import type { Canvas } from './canvas.js';
import type { Rgb } from './colour.js';
import { length } from './sdf.js';

/**
 * Cluttered, textured backgrounds. Every family is drawn independently of the object's
 * class, so background never predicts the label (as in photographs, context is a nuisance).
 * The source and shifted variants use disjoint families, so a model that memorised the
 * source's textures meets unfamiliar ones downstream. Sizes are fractions of the image, so
 * a scene looks the same at any `size`; edges are anti-aliased from distances in pixels.
 */
export interface BackgroundFamily {
  readonly name: string;
  /** Fill the whole canvas; `colour()` draws a scene colour from the variant's palette. */
  fill(canvas: Canvas, rng: Rng, colour: () => Rgb): void;
}

const TAU = 2 * Math.PI;

/** Coverage of the "on" part of a square wave of phase t (in periods) with duty cycle `duty`. */
function squareWave(t: number, duty: number, periodPx: number): number {
  const f = t - Math.floor(t);
  const sd = f < duty ? Math.min(f, duty - f) : -Math.min(f - duty, 1 - f);
  const a = 0.5 + sd * periodPx;
  return a < 0 ? 0 : a > 1 ? 1 : a;
}

function smoothstep(t: number): number {
  return t * t * (3 - 2 * t);
}

function set(rgb: Float32Array, o: number, a: Rgb, b: Rgb, t: number): void {
  rgb[o] = a[0] + (b[0] - a[0]) * t;
  rgb[o + 1] = a[1] + (b[1] - a[1]) * t;
  rgb[o + 2] = a[2] + (b[2] - a[2]) * t;
}

/** Smooth value noise on a g×g lattice over the image, in [0, 1]. */
function valueNoise(rng: Rng, g: number): (u: number, v: number) => number {
  const lattice = new Float32Array((g + 1) * (g + 1));
  for (let i = 0; i < lattice.length; i++) lattice[i] = rng.next();
  return (u, v) => {
    const x = u * g;
    const y = v * g;
    const ix = Math.min(g - 1, Math.floor(x));
    const iy = Math.min(g - 1, Math.floor(y));
    const fx = smoothstep(x - ix);
    const fy = smoothstep(y - iy);
    const i = iy * (g + 1) + ix;
    const top = lattice[i]! + (lattice[i + 1]! - lattice[i]!) * fx;
    const bottom = lattice[i + g + 1]! + (lattice[i + g + 2]! - lattice[i + g + 1]!) * fx;
    return top + (bottom - top) * fy;
  };
}

// ---- source families -------------------------------------------------------------------

const stripes: BackgroundFamily = {
  name: 'stripes',
  fill({ size, rgb }, rng, colour) {
    const a = colour();
    const b = colour();
    const angle = rng.uniform(0, Math.PI);
    const period = rng.uniform(0.08, 0.25) * size;
    const duty = rng.uniform(0.3, 0.7);
    const c = Math.cos(angle) / period;
    const s = Math.sin(angle) / period;
    const phase = rng.next();
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        set(rgb, (y * size + x) * 3, a, b, squareWave((x + 0.5) * c + (y + 0.5) * s + phase, duty, period));
      }
    }
  },
};

const checkers: BackgroundFamily = {
  name: 'checkers',
  fill({ size, rgb }, rng, colour) {
    const a = colour();
    const b = colour();
    const angle = rng.uniform(0, Math.PI / 2);
    const cell = rng.uniform(0.1, 0.25) * size;
    const c = Math.cos(angle) / (2 * cell);
    const s = Math.sin(angle) / (2 * cell);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const px = x + 0.5;
        const py = y + 0.5;
        const u = squareWave(px * c + py * s, 0.5, 2 * cell);
        const v = squareWave(-px * s + py * c, 0.5, 2 * cell);
        set(rgb, (y * size + x) * 3, a, b, u * v + (1 - u) * (1 - v));
      }
    }
  },
};

const noise: BackgroundFamily = {
  name: 'noise',
  fill({ size, rgb }, rng, colour) {
    const a = colour();
    const b = colour();
    const coarse = valueNoise(rng, 2 + rng.int(4));
    const fine = valueNoise(rng, 6 + rng.int(6));
    const contrast = rng.uniform(1.2, 2.2);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const u = (x + 0.5) / size;
        const v = (y + 0.5) / size;
        const n = (0.65 * coarse(u, v) + 0.35 * fine(u, v) - 0.5) * contrast + 0.5;
        set(rgb, (y * size + x) * 3, a, b, n < 0 ? 0 : n > 1 ? 1 : n);
      }
    }
  },
};

const gradient: BackgroundFamily = {
  name: 'gradient',
  fill({ size, rgb }, rng, colour) {
    const a = colour();
    const b = colour();
    const angle = rng.uniform(0, TAU);
    const c = Math.cos(angle) / size;
    const s = Math.sin(angle) / size;
    const offset = 0.5 - (size / 2) * (c + s);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const t = (x + 0.5) * c + (y + 0.5) * s + offset;
        set(rgb, (y * size + x) * 3, a, b, t < 0 ? 0 : t > 1 ? 1 : t);
      }
    }
  },
};

// ---- shifted families ------------------------------------------------------------------

const dots: BackgroundFamily = {
  name: 'dots',
  fill({ size, rgb }, rng, colour) {
    const ground = colour();
    const ink = colour();
    const angle = rng.uniform(0, Math.PI / 2);
    const cell = rng.uniform(0.12, 0.22) * size;
    const radius = cell * rng.uniform(0.2, 0.38);
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const px = x + 0.5;
        const py = y + 0.5;
        const u = (px * c + py * s) / cell;
        const v = (-px * s + py * c) / cell;
        const du = (u - Math.floor(u) - 0.5) * cell;
        const dv = (v - Math.floor(v) - 0.5) * cell;
        const d = length(du, dv) - radius;
        const t = 0.5 - d;
        set(rgb, (y * size + x) * 3, ground, ink, t < 0 ? 0 : t > 1 ? 1 : t);
      }
    }
  },
};

const waves: BackgroundFamily = {
  name: 'waves',
  fill({ size, rgb }, rng, colour) {
    const a = colour();
    const b = colour();
    const cx = rng.uniform(-0.5, 1.5) * size;
    const cy = rng.uniform(-0.5, 1.5) * size;
    const period = rng.uniform(0.1, 0.22) * size;
    const wobble = rng.uniform(0, 0.15) * size;
    const wf = TAU / (rng.uniform(0.3, 0.7) * size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const r = length(x + 0.5 - cx, y + 0.5 - cy) + wobble * Math.sin((x + y) * wf);
        set(rgb, (y * size + x) * 3, a, b, 0.5 + 0.5 * Math.sin((TAU * r) / period));
      }
    }
  },
};

const cells: BackgroundFamily = {
  name: 'cells',
  fill({ size, rgb }, rng, colour) {
    const n = 5 + rng.int(8);
    const px = new Float32Array(n);
    const py = new Float32Array(n);
    const colours: Rgb[] = [];
    for (let k = 0; k < n; k++) {
      px[k] = rng.uniform(-0.1, 1.1) * size;
      py[k] = rng.uniform(-0.1, 1.1) * size;
      colours.push(colour());
    }
    const edge = colour();
    const edgeWidth = rng.uniform(0.02, 0.05) * size;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let d1 = Infinity;
        let d2 = Infinity;
        let k1 = 0;
        for (let k = 0; k < n; k++) {
          const d = length(x + 0.5 - px[k]!, y + 0.5 - py[k]!);
          if (d < d1) { d2 = d1; d1 = d; k1 = k; } else if (d < d2) d2 = d;
        }
        // (d2 − d1) / 2 approximates the distance to the cell wall: draw walls as lines.
        const t = 0.5 + ((d2 - d1) / 2 - edgeWidth / 2);
        set(rgb, (y * size + x) * 3, edge, colours[k1]!, t < 0 ? 0 : t > 1 ? 1 : t);
      }
    }
  },
};

const plaid: BackgroundFamily = {
  name: 'plaid',
  fill({ size, rgb }, rng, colour) {
    const ground = colour();
    const warp = colour();
    const weft = colour();
    const angle = rng.uniform(0, Math.PI / 2);
    const p1 = rng.uniform(0.15, 0.3) * size;
    const p2 = rng.uniform(0.15, 0.3) * size;
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const u = (x + 0.5) * c + (y + 0.5) * s;
        const v = -(x + 0.5) * s + (y + 0.5) * c;
        const o = (y * size + x) * 3;
        set(rgb, o, ground, warp, 0.6 * squareWave(u / p1, 0.35, p1));
        const t = 0.5 * squareWave(v / p2, 0.35, p2);
        rgb[o] = rgb[o]! + (weft[0] - rgb[o]!) * t;
        rgb[o + 1] = rgb[o + 1]! + (weft[1] - rgb[o + 1]!) * t;
        rgb[o + 2] = rgb[o + 2]! + (weft[2] - rgb[o + 2]!) * t;
      }
    }
  },
};

export const sourceBackgrounds: readonly BackgroundFamily[] = [stripes, checkers, noise, gradient];
export const shiftedBackgrounds: readonly BackgroundFamily[] = [dots, waves, cells, plaid];

import { shapeClasses, type Rng } from '@sempair/core';

/**
 * Renders one synthetic detection scene: a textured, muted background with clutter blobs,
 * then a few objects. A class is a shape (core's synthetic shape classes), by default in a hue
 * of its own, so a small detector can learn it in minutes; with `colours: 'random'` every
 * object gets any hue and only its shape tells its class, so the detector must see shapes
 * (what pre-training on the scenes teaches). Pose, size, shading and the background vary per
 * object. Each object's box is the tight box of the pixels it covers (after
 * clipping to the image), so the annotation is exact.
 */
export interface SceneObject {
  classIndex: number;
  /** 0-based inclusive pixel indices of the covered pixels: [x0, y0, x1, y1]. */
  pixels: [number, number, number, number];
  difficult: boolean;
  truncated: boolean;
}

export interface Scene {
  width: number;
  height: number;
  /** uint8 HWC RGB */
  rgb: Uint8Array;
  objects: SceneObject[];
}

export interface SceneOptions {
  width: number;
  height: number;
  classCount: number;
  /** Objects per image: uniform in [1, maxObjects] (fewer when they do not fit). */
  maxObjects: number;
  /** Object diameter as a fraction of the image's shorter side. */
  minScale: number;
  maxScale: number;
  /** Chance an object is drawn small and faint and marked difficult. */
  difficultRate: number;
  /** Chance an object is placed partly outside the image (marked truncated). */
  truncatedRate: number;
  /** 'class': each class in a hue of its own (default); 'random': any hue, the shape alone tells the class. */
  colours?: ObjectColours;
}

export type ObjectColours = 'class' | 'random';
export const OBJECT_COLOURS: readonly ObjectColours[] = ['class', 'random'];

/** The golden-ratio hue sequence: neighbouring class indices get far-apart hues. */
export function classHue(classIndex: number): number {
  return (0.08 + classIndex * 0.618033988749895) % 1;
}

/** The shape of a class (core's shapes, cycled when there are more classes than shapes). */
export function classShape(classIndex: number): string {
  return shapeClasses[classIndex % shapeClasses.length]!.name;
}

function hsv(h: number, s: number, v: number): [number, number, number] {
  const f = (n: number): number => {
    const k = (n + h * 6) % 6;
    return v - v * s * Math.max(0, Math.min(k, 4 - k, 1));
  };
  return [f(5), f(3), f(1)];
}

export function renderScene(rng: Rng, options: SceneOptions): Scene {
  const { width, height } = options;
  const canvas = new Float32Array(width * height * 3);
  paintBackground(canvas, width, height, rng);

  const objects: SceneObject[] = [];
  const taken: [number, number, number, number][] = [];
  const wanted = 1 + rng.int(options.maxObjects);
  const short = Math.min(width, height);
  for (let n = 0; n < wanted; n++) {
    // What the object is is drawn once; only its position is retried when it does not fit.
    const classIndex = rng.int(options.classCount);
    const difficult = rng.bernoulli(options.difficultRate);
    const diameter = difficult ? short * options.minScale * rng.uniform(0.45, 0.65) : short * rng.uniform(options.minScale, options.maxScale);
    const r = diameter / 2;
    const cut = !difficult && rng.bernoulli(options.truncatedRate);
    // A truncated object keeps its centre inside, so at least about half of it shows.
    const margin = cut ? 0.1 * r : r * 1.1;
    for (let attempt = 0; attempt < 20; attempt++) {
      const cx = rng.uniform(margin, width - margin);
      const cy = rng.uniform(margin, height - margin);
      const e = r * 1.15 + 2; // shapes reach a little past the unit circle
      const square: [number, number, number, number] = [cx - e, cy - e, cx + e, cy + e];
      if (taken.some((t) => square[0] < t[2] && t[0] < square[2] && square[1] < t[3] && t[1] < square[3])) continue;
      const pixels = paintObject(canvas, width, height, rng, classIndex, cx, cy, r, difficult, options.colours ?? 'class');
      if (!pixels) break;
      const inside = pixels[0] > 0 && pixels[1] > 0 && pixels[2] < width - 1 && pixels[3] < height - 1;
      taken.push(square);
      objects.push({ classIndex, pixels, difficult, truncated: !inside });
      break;
    }
  }

  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) {
    const noisy = canvas[i]! * 255 + (rng.next() + rng.next() - 1) * 6;
    rgb[i] = noisy <= 0 ? 0 : noisy >= 255 ? 255 : Math.round(noisy);
  }
  return { width, height, rgb, objects };
}

/** A muted base colour, three gratings and a few grey-ish blobs: texture without class hues. */
function paintBackground(canvas: Float32Array, width: number, height: number, rng: Rng): void {
  const base = hsv(rng.next(), rng.uniform(0.05, 0.3), rng.uniform(0.3, 0.75));
  const gratings = Array.from({ length: 3 }, () => {
    const angle = rng.uniform(0, Math.PI);
    const frequency = (rng.uniform(1.5, 7) * 2 * Math.PI) / Math.max(width, height);
    return { fx: Math.cos(angle) * frequency, fy: Math.sin(angle) * frequency, phase: rng.uniform(0, 2 * Math.PI), amplitude: rng.uniform(0.03, 0.1), tint: hsv(rng.next(), 0.2, 1) };
  });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        let value = base[c]!;
        for (const g of gratings) value += g.amplitude * g.tint[c]! * Math.sin(g.fx * x + g.fy * y + g.phase);
        canvas[o + c] = value;
      }
    }
  }
  const blobs = 2 + rng.int(4);
  for (let k = 0; k < blobs; k++) {
    const colour = hsv(rng.next(), rng.uniform(0, 0.25), rng.uniform(0.2, 0.85));
    const bx = rng.uniform(0, width);
    const by = rng.uniform(0, height);
    const rx = rng.uniform(0.05, 0.2) * width;
    const ry = rng.uniform(0.05, 0.2) * height;
    for (let y = Math.max(0, Math.floor(by - ry)); y < Math.min(height, Math.ceil(by + ry)); y++) {
      for (let x = Math.max(0, Math.floor(bx - rx)); x < Math.min(width, Math.ceil(bx + rx)); x++) {
        const dx = (x + 0.5 - bx) / rx;
        const dy = (y + 0.5 - by) / ry;
        if (dx * dx + dy * dy > 1) continue;
        const o = (y * width + x) * 3;
        for (let c = 0; c < 3; c++) canvas[o + c] = 0.5 * canvas[o + c]! + 0.5 * colour[c]!;
      }
    }
  }
}

/**
 * Paints one object centred at (cx, cy) with radius r; returns the 0-based inclusive box of
 * the pixels it covers at least half, or null if none lies inside the image.
 */
function paintObject(
  canvas: Float32Array, width: number, height: number, rng: Rng,
  classIndex: number, cx: number, cy: number, r: number, faint: boolean, colours: ObjectColours,
): [number, number, number, number] | null {
  const sdf = shapeClasses[classIndex % shapeClasses.length]!.make(rng);
  const stretch = Math.exp(rng.uniform(-0.1, 0.1));
  const sx = r * stretch * (rng.bernoulli(0.5) ? -1 : 1);
  const sy = r / stretch;
  const minScale = Math.min(Math.abs(sx), sy);
  const angle = rng.uniform(-0.5, 0.5);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  // One draw for the hue either way, so the rest of a scene does not depend on the colouring.
  const hue = colours === 'class' ? (classHue(classIndex) + rng.uniform(-0.025, 0.025) + 1) % 1 : rng.next();
  const colour = hsv(hue, rng.uniform(0.7, 0.95), rng.uniform(0.65, 0.95));
  const light = rng.uniform(0, 2 * Math.PI);
  const shadeX = Math.cos(light) * 0.25;
  const shadeY = Math.sin(light) * 0.25;
  const opacity = faint ? 0.55 : 1;
  const reach = r * 1.4 + 1;
  let box: [number, number, number, number] | null = null;
  for (let y = Math.max(0, Math.floor(cy - reach)); y < Math.min(height, Math.ceil(cy + reach)); y++) {
    for (let x = Math.max(0, Math.floor(cx - reach)); x < Math.min(width, Math.ceil(cx + reach)); x++) {
      // Pixel centre → object frame (y up), undoing position, rotation and scale.
      const dx = x + 0.5 - cx;
      const dy = cy - (y + 0.5);
      const u = (cos * dx + sin * dy) / sx;
      const v = (-sin * dx + cos * dy) / sy;
      const coverage = 0.5 - sdf(u, v) * minScale;
      if (coverage <= 0) continue;
      const a = (coverage >= 1 ? 1 : coverage) * opacity;
      const shade = 1 + u * shadeX + v * shadeY;
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) canvas[o + c] = canvas[o + c]! + (colour[c]! * shade - canvas[o + c]!) * a;
      if (coverage >= 0.5) {
        if (!box) box = [x, y, x, y];
        else {
          if (x < box[0]) box[0] = x;
          if (x > box[2]) box[2] = x;
          if (y < box[1]) box[1] = y;
          if (y > box[3]) box[3] = y;
        }
      }
    }
  }
  return box;
}

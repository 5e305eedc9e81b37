import type { Rng } from '../../rng.js';
import { Canvas } from './canvas.js';
import { distance, type Rgb } from './colour.js';
import { ellipse, length, segment } from './sdf.js';
import type { ShapeClass } from './shapes.js';
import type { Lighting, Palette, Variant } from './variants.js';

/**
 * Renders one labelled scene: textured background → distractor strokes and blobs → the
 * object (posed, shaded, anti-aliased) → occluders → scene lighting and sensor noise.
 * Every random choice comes from `rng`, so one (seed, variant, split, index) is one image.
 */

type Box = [number, number, number, number];

/** Canvases are reused per size: rendering thousands of images allocates nothing per image. */
const canvases = new Map<number, Canvas>();

function canvasFor(size: number): Canvas {
  let canvas = canvases.get(size);
  if (!canvas) {
    canvas = new Canvas(size);
    canvases.set(size, canvas);
  }
  return canvas;
}

/** An arc of radius `ra` and half-aperture `aperture`, symmetric about +y, stroke radius rb. */
function arc(px: number, py: number, aperture: number, ra: number, rb: number): number {
  const s = Math.sin(aperture);
  const c = Math.cos(aperture);
  const x = Math.abs(px);
  return (c * x > s * py ? length(x - s * ra, py - c * ra) : Math.abs(length(x, py) - ra)) - rb;
}

/** Thin strokes, arcs and blobs behind the object: clutter with no class information. */
function drawDistractors(canvas: Canvas, rng: Rng, palette: Palette, clutter: number): void {
  const { size } = canvas;
  const drawn = 1 + rng.int(4);
  const count = Math.round(drawn * clutter);
  for (let k = 0; k < count; k++) {
    const colour = rng.bernoulli(0.35) ? palette.object() : palette.background();
    const x = rng.uniform(0, size);
    const y = rng.uniform(0, size);
    const kind = rng.int(3);
    if (kind === 0) {
      const angle = rng.uniform(0, Math.PI);
      const half = rng.uniform(0.15, 0.35) * size;
      const w = rng.uniform(0.012, 0.03) * size;
      const dx = Math.cos(angle) * half;
      const dy = Math.sin(angle) * half;
      canvas.paint((px, py) => segment(px, py, x - dx, y - dy, x + dx, y + dy, w), colour, [x - half - w - 1, y - half - w - 1, x + half + w + 1, y + half + w + 1]);
    } else if (kind === 1) {
      const r = rng.uniform(0.1, 0.3) * size;
      const w = rng.uniform(0.012, 0.03) * size;
      const aperture = rng.uniform(0.5, 2.2);
      const angle = rng.uniform(0, 2 * Math.PI);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      const e = r + w + 1;
      canvas.paint((px, py) => arc(c * (px - x) + s * (py - y), -s * (px - x) + c * (py - y), aperture, r, w), colour, [x - e, y - e, x + e, y + e]);
    } else {
      const rx = rng.uniform(0.03, 0.09) * size;
      const ry = rng.uniform(0.03, 0.09) * size;
      canvas.paint((px, py) => ellipse(px, py, x, y, rx, ry), colour, [x - rx - 1, y - ry - 1, x + rx + 1, y + ry + 1]);
    }
  }
}

/** An object colour that differs from what lies behind it, else the object would vanish. */
function objectColour(rng: Rng, palette: Palette, behind: Rgb): Rgb {
  let best = palette.object();
  for (let tries = 0; tries < 16 && distance(best, behind) < 0.5; tries++) {
    const c = palette.object();
    if (distance(c, behind) > distance(best, behind)) best = c;
  }
  return best;
}

/** Pose, appearance and drawing of the object itself. */
function drawObject(canvas: Canvas, shape: ShapeClass, rng: Rng, palette: Palette): Box {
  const { size, rgb } = canvas;
  const sdf = shape.make(rng);
  // Pose: scale (radius in pixels), aspect stretch, rotation, mirror, position.
  const radius = rng.uniform(0.3, 0.42) * size;
  const stretch = Math.exp(rng.uniform(-0.12, 0.12));
  const sx = radius * stretch * (rng.bernoulli(0.5) ? -1 : 1);
  const sy = radius / stretch;
  const minScale = Math.min(Math.abs(sx), sy);
  const angle = rng.uniform(-0.6, 0.6);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const cx = size * (0.5 + rng.uniform(-0.14, 0.14));
  const cy = size * (0.5 + rng.uniform(-0.14, 0.14));
  const reach = radius * Math.max(stretch, 1 / stretch) * 1.1 + 1;
  const bounds: Box = [cx - reach, cy - reach, cx + reach, cy + reach];

  // Appearance: colour, shading from a light direction, optional outline and surface texture.
  const colour = objectColour(rng, palette, canvas.mean(bounds));
  const light = rng.uniform(0, 2 * Math.PI);
  const shadeX = Math.cos(light) * rng.uniform(0.15, 0.45);
  const shadeY = Math.sin(light) * rng.uniform(0.15, 0.45);
  const outline = rng.bernoulli(0.4) ? rng.uniform(0.025, 0.045) * size : 0;
  const outlineDark = rng.uniform(0.25, 0.55);
  const texture = rng.bernoulli(0.3) ? rng.uniform(3, 7) : 0;
  const textureAngle = rng.uniform(0, Math.PI);
  const tc = Math.cos(textureAngle) * texture;
  const ts = Math.sin(textureAngle) * texture;

  const x0 = Math.max(0, Math.floor(bounds[0]));
  const y0 = Math.max(0, Math.floor(bounds[1]));
  const x1 = Math.min(size, Math.ceil(bounds[2]));
  const y1 = Math.min(size, Math.ceil(bounds[3]));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      // Pixel centre → object frame (y up), undoing position, rotation and scale.
      const dx = x + 0.5 - cx;
      const dy = cy - (y + 0.5);
      const u = (cos * dx + sin * dy) / sx;
      const v = (-sin * dx + cos * dy) / sy;
      const d = sdf(u, v) * minScale;
      if (d >= 0.5) continue;
      const a = d <= -0.5 ? 1 : 0.5 - d;
      let shade = 1 + u * shadeX + v * shadeY;
      if (texture && Math.sin(u * tc + v * ts) > 0.3) shade *= 0.78;
      if (outline) {
        const t = 0.5 + (d + outline); // coverage of the band within `outline` px of the edge
        if (t > 0) shade *= 1 - (1 - outlineDark) * (t > 1 ? 1 : t);
      }
      const o = (y * size + x) * 3;
      rgb[o] = rgb[o]! + (colour[0] * shade - rgb[o]!) * a;
      rgb[o + 1] = rgb[o + 1]! + (colour[1] * shade - rgb[o + 1]!) * a;
      rgb[o + 2] = rgb[o + 2]! + (colour[2] * shade - rgb[o + 2]!) * a;
    }
  }
  return bounds;
}

/** Bars and blobs in front of the object that hide part of it (never most of it). */
function drawOccluders(canvas: Canvas, rng: Rng, palette: Palette, object: Box, clutter: number): void {
  if (!rng.bernoulli(0.4 * clutter)) return;
  const count = rng.bernoulli(0.3) ? 2 : 1;
  const cx = (object[0] + object[2]) / 2;
  const cy = (object[1] + object[3]) / 2;
  const radius = (object[2] - object[0]) / 2.2;
  const { size } = canvas;
  for (let k = 0; k < count; k++) {
    const colour = palette.background();
    const angle = rng.uniform(0, 2 * Math.PI);
    if (rng.bernoulli(0.5)) {
      // A bar (a branch, a pole) crossing the object off-centre.
      const off = rng.uniform(0.3, 0.8) * radius * (rng.bernoulli(0.5) ? 1 : -1);
      const px = cx - Math.sin(angle) * off;
      const py = cy + Math.cos(angle) * off;
      const w = rng.uniform(0.03, 0.06) * size;
      const dx = Math.cos(angle) * size;
      const dy = Math.sin(angle) * size;
      canvas.paint((x, y) => segment(x, y, px - dx, py - dy, px + dx, py + dy, w), colour, [0, 0, size, size]);
    } else {
      // A blob (a leaf, a hand) over the object's rim.
      const dist = rng.uniform(0.6, 1.0) * radius;
      const bx = cx + Math.cos(angle) * dist;
      const by = cy + Math.sin(angle) * dist;
      const r = rng.uniform(0.25, 0.45) * radius;
      const rx = r * rng.uniform(0.7, 1.3);
      canvas.paint((x, y) => ellipse(x, y, bx, by, rx, r), colour, [bx - rx - 1, by - r - 1, bx + rx + 1, by + r + 1]);
    }
  }
}

/** Scene lighting and sensor noise, then quantisation to uint8 into `out` at `offset`. */
function develop(canvas: Canvas, rng: Rng, light: Lighting, out: Uint8Array, offset: number): void {
  const { size, rgb } = canvas;
  const half = size / 2;
  const rc = (Math.cos(light.rampAngle) * light.ramp) / size;
  const rs = (Math.sin(light.rampAngle) * light.ramp) / size;
  const sx = light.spotX * size;
  const sy = light.spotY * size;
  const spotScale = light.spot / (0.5 * size * size);
  const gain = 255 * light.brightness;
  const tr = light.tint[0] * gain;
  const tg = light.tint[1] * gain;
  const tb = light.tint[2] * gain;
  const noise = (255 * light.noise * 1.7) / 65536; // (u1 + u2 − 1) has std 0.41
  // A clamped view rounds and saturates on store, which a plain Uint8Array would wrap.
  const bytes = new Uint8ClampedArray(out.buffer, out.byteOffset + offset, size * size * 3);
  // A per-image xorshift stream: one draw per pixel gives two 16-bit uniforms, far cheaper
  // than two calls into Rng for every pixel.
  let state = Math.floor(rng.next() * 4294967295) | 1;
  let o = 0;
  for (let y = 0; y < size; y++) {
    const py = y + 0.5;
    const rampY = 1 + (py - half) * rs;
    const spotY = (py - sy) * (py - sy);
    for (let x = 0; x < size; x++) {
      const px = x + 0.5;
      const spot = 1 - Math.min(1, ((px - sx) * (px - sx) + spotY) * spotScale);
      const f = (rampY + (px - half) * rc) * spot;
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const n = noise * ((state & 0xffff) + ((state >>> 16) & 0xffff) - 65535);
      bytes[o] = rgb[o]! * tr * f + n;
      bytes[o + 1] = rgb[o + 1]! * tg * f + n;
      bytes[o + 2] = rgb[o + 2]! * tb * f + n;
      o += 3;
    }
  }
}

/** Pulls every background pixel toward the mean colour: texture contrast × `keep`. */
function flattenBackground(canvas: Canvas, keep: number): void {
  if (keep >= 1) return;
  const { size, rgb } = canvas;
  const [mr, mg, mb] = canvas.mean([0, 0, size, size]);
  for (let o = 0; o < rgb.length; o += 3) {
    rgb[o] = mr + (rgb[o]! - mr) * keep;
    rgb[o + 1] = mg + (rgb[o + 1]! - mg) * keep;
    rgb[o + 2] = mb + (rgb[o + 2]! - mb) * keep;
  }
}

/**
 * Render one image of `shape` in `variant` into `out` (HWC uint8, size×size×3) at `offset`.
 * `clutter` in [0, 1] scales the nuisances (background texture contrast, distractors,
 * occluders); backgrounds and colours stay independent of the class at every level.
 */
export function renderImage(shape: ShapeClass, variant: Variant, rng: Rng, size: number, out: Uint8Array, offset = 0, clutter = 1): void {
  const canvas = canvasFor(size);
  const palette = variant.palette(rng);
  rng.pick(variant.backgrounds).fill(canvas, rng, palette.background);
  flattenBackground(canvas, clutter);
  drawDistractors(canvas, rng, palette, clutter);
  const object = drawObject(canvas, shape, rng, palette);
  drawOccluders(canvas, rng, palette, object, clutter);
  develop(canvas, rng, variant.lighting(rng), out, offset);
}

import type { Rng } from '../../rng.js';
import { box, circle, ellipse, length, polygon, type Sdf, starVertices } from './sdf.js';

/**
 * The object classes of the synthetic dataset. A class is its geometry and nothing else:
 * colour, pose, scale, lighting and background are drawn by the renderer independently of
 * the class, so only shape predicts the label. Each `make` also jitters the class's own
 * proportions, so two images of one class differ in more than an augmentation can undo —
 * which is what makes semantic pairs different from augmented pairs.
 *
 * Frame: y points up, the object fits roughly inside the unit circle.
 */
export interface ShapeClass {
  readonly name: string;
  make(rng: Rng): Sdf;
}

const ring: ShapeClass = {
  name: 'ring',
  make(rng) {
    const r = rng.uniform(0.62, 0.8);
    const t = rng.uniform(0.13, 0.22);
    return (x, y) => Math.abs(length(x, y) - r) - t;
  },
};

const cross: ShapeClass = {
  name: 'cross',
  make(rng) {
    const arm = rng.uniform(0.75, 0.92);
    const w = rng.uniform(0.15, 0.24);
    const bar = rng.uniform(-0.15, 0.25); // where the arms meet: plus sign or Latin cross
    return (x, y) => Math.min(box(x, y, 0, 0, w, arm), box(x, y, 0, bar, arm * 0.85, w));
  },
};

const triangle: ShapeClass = {
  name: 'triangle',
  make(rng) {
    const v = new Float64Array(6);
    for (let k = 0; k < 3; k++) {
      const a = Math.PI / 2 + (k * 2 * Math.PI) / 3 + rng.uniform(-0.12, 0.12);
      const r = rng.uniform(0.85, 1.0);
      v[2 * k] = r * Math.cos(a);
      v[2 * k + 1] = r * Math.sin(a) - 0.1;
    }
    return (x, y) => polygon(x, y, v);
  },
};

const star: ShapeClass = {
  name: 'star',
  make(rng) {
    const v = starVertices(5, rng.uniform(0.9, 1.0), rng.uniform(0.36, 0.48));
    return (x, y) => polygon(x, y, v);
  },
};

const house: ShapeClass = {
  name: 'house',
  make(rng) {
    const hw = rng.uniform(0.5, 0.65); // half width of the walls
    const top = rng.uniform(0.0, 0.15); // where the walls end and the roof starts
    const eave = rng.uniform(0.12, 0.25);
    const peak = rng.uniform(0.8, 0.95);
    const roof = new Float64Array([-hw - eave, top, hw + eave, top, 0, peak]);
    const doorX = rng.uniform(-0.2, 0.2);
    const doorH = rng.uniform(0.3, 0.45);
    return (x, y) => {
      const walls = box(x, y, 0, (top - 0.85) / 2, hw, (top + 0.85) / 2);
      const body = Math.min(walls, polygon(x, y, roof));
      const door = box(x, y, doorX, -0.85 + doorH / 2 - 0.05, 0.11, doorH / 2 + 0.05);
      return Math.max(body, -door);
    };
  },
};

const arrow: ShapeClass = {
  name: 'arrow',
  make(rng) {
    const shaft = rng.uniform(0.11, 0.18);
    const neck = rng.uniform(0.05, 0.3); // where the head starts
    const head = new Float64Array([neck, rng.uniform(0.45, 0.6), 0.95, 0, neck, -rng.uniform(0.45, 0.6)]);
    return (x, y) => Math.min(box(x, y, (neck + 0.02 - 0.95) / 2, 0, (neck + 0.02 + 0.95) / 2, shaft), polygon(x, y, head));
  },
};

const crescent: ShapeClass = {
  name: 'crescent',
  make(rng) {
    const r = rng.uniform(0.8, 0.92);
    const dx = rng.uniform(0.3, 0.45);
    const r2 = r * rng.uniform(0.8, 0.92);
    return (x, y) => Math.max(circle(x, y, 0, 0, r), -circle(x, y, dx, 0.12, r2));
  },
};

const key: ShapeClass = {
  name: 'key',
  make(rng) {
    const bowR = rng.uniform(0.3, 0.38);
    const hole = bowR * rng.uniform(0.38, 0.5);
    const shaftW = rng.uniform(0.08, 0.11);
    const tooth1 = rng.uniform(0.45, 0.6);
    const toothH = rng.uniform(0.2, 0.3);
    return (x, y) => {
      const bow = Math.max(circle(x, y, -0.58, 0, bowR), -circle(x, y, -0.58, 0, hole));
      const shaft = box(x, y, 0.3, 0, 0.62, shaftW);
      const teeth = Math.min(box(x, y, tooth1, -toothH / 2, 0.07, toothH / 2), box(x, y, 0.85, -toothH / 2, 0.07, toothH / 2));
      return Math.min(bow, shaft, teeth);
    };
  },
};

const fish: ShapeClass = {
  name: 'fish',
  make(rng) {
    const a = rng.uniform(0.5, 0.62);
    const b = rng.uniform(0.3, 0.42);
    const tailW = rng.uniform(0.35, 0.5);
    const cx = -0.25;
    const joint = cx + a - 0.15;
    const tail = new Float64Array([joint, 0, 0.95, tailW, rng.uniform(0.75, 0.85), 0, 0.95, -tailW]);
    return (x, y) => {
      const body = Math.min(ellipse(x, y, cx, 0, a, b), polygon(x, y, tail));
      return Math.max(body, -circle(x, y, cx - a * 0.55, b * 0.2, 0.07));
    };
  },
};

const car: ShapeClass = {
  name: 'car',
  make(rng) {
    const len = rng.uniform(0.85, 0.95);
    const bodyH = rng.uniform(0.18, 0.24);
    const cabinH = rng.uniform(0.3, 0.4);
    const cabinL = rng.uniform(0.4, 0.55);
    const cabinX = rng.uniform(-0.15, 0.05);
    const wheelR = rng.uniform(0.18, 0.23);
    const base = -0.2;
    const cabin = new Float64Array([
      cabinX - cabinL, base + bodyH,
      cabinX + cabinL, base + bodyH,
      cabinX + cabinL * 0.6, base + bodyH + cabinH,
      cabinX - cabinL * 0.7, base + bodyH + cabinH,
    ]);
    return (x, y) => {
      const body = box(x, y, 0, base + bodyH / 2 - 0.05, len, bodyH / 2 + 0.05) - 0.04;
      const wheels = Math.min(circle(x, y, -len * 0.55, base - 0.08, wheelR), circle(x, y, len * 0.55, base - 0.08, wheelR));
      return Math.min(body, polygon(x, y, cabin), wheels);
    };
  },
};

const tree: ShapeClass = {
  name: 'tree',
  make(rng) {
    const w = rng.uniform(0.55, 0.75);
    const trunkW = rng.uniform(0.08, 0.13);
    const low = new Float64Array([-w, -0.35, w, -0.35, 0, 0.45]);
    const high = new Float64Array([-w * 0.75, 0.1, w * 0.75, 0.1, 0, 0.95]);
    return (x, y) => Math.min(polygon(x, y, low), polygon(x, y, high), box(x, y, 0, -0.65, trunkW, 0.32));
  },
};

const heart: ShapeClass = {
  name: 'heart',
  make(rng) {
    const r = rng.uniform(0.4, 0.46);
    const s = rng.uniform(0.34, 0.4);
    const tip = rng.uniform(-0.95, -0.8);
    const v = new Float64Array([-s - r * 0.92, 0.22, 0, tip, s + r * 0.92, 0.22, 0, 0.3]);
    return (x, y) => Math.min(circle(x, y, -s, 0.35, r), circle(x, y, s, 0.35, r), polygon(x, y, v));
  },
};

/** All classes, in label order; `classes=k` uses the first k. */
export const shapeClasses: readonly ShapeClass[] = [ring, cross, triangle, star, house, arrow, crescent, key, fish, car, tree, heart];

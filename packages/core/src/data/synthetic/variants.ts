import type { Rng } from '../../rng.js';
import { type BackgroundFamily, shiftedBackgrounds, sourceBackgrounds } from './backgrounds.js';
import { hsv, type Rgb } from './colour.js';

/** Scene lighting, applied to the whole image (object and background alike). */
export interface Lighting {
  brightness: number;
  /** Linear brightness ramp across the image: strength and direction. */
  ramp: number;
  rampAngle: number;
  /** Vignette / spotlight: centre (fractions of the image) and how much the corners darken. */
  spotX: number;
  spotY: number;
  spot: number;
  /** Colour cast, multiplied per channel. */
  tint: Rgb;
  /** Sensor noise standard deviation (in [0, 1] units). */
  noise: number;
}

/** The colours one scene draws from, so that colours within an image share statistics. */
export interface Palette {
  background(): Rgb;
  object(): Rgb;
}

/**
 * A rendering domain: which background families, colour statistics and lighting it uses.
 * The object classes and their geometry are the same in every variant; only context moves.
 */
export interface Variant {
  readonly id: 'source' | 'shifted';
  readonly backgrounds: readonly BackgroundFamily[];
  palette(rng: Rng): Palette;
  lighting(rng: Rng): Lighting;
}

/** Source: saturated colours of any hue, daylight-like lighting with a gentle ramp. */
export const sourceVariant: Variant = {
  id: 'source',
  backgrounds: sourceBackgrounds,
  palette(rng) {
    return {
      background: () => hsv(rng.next(), rng.uniform(0.15, 0.85), rng.uniform(0.25, 0.95)),
      object: () => hsv(rng.next(), rng.uniform(0.3, 1), rng.uniform(0.25, 1)),
    };
  },
  lighting(rng) {
    const tint = hsv(rng.next(), rng.uniform(0, 0.08), 1);
    return {
      brightness: rng.uniform(0.85, 1.15),
      ramp: rng.uniform(0, 0.5),
      rampAngle: rng.uniform(0, 2 * Math.PI),
      spotX: 0.5,
      spotY: 0.5,
      spot: 0,
      tint,
      noise: rng.uniform(0.01, 0.035),
    };
  },
};

/**
 * Shifted: muted, near-monochrome scenes (one dominant hue, low saturation), darker and
 * spot-lit with a strong colour cast and more sensor noise — a different camera and place.
 */
export const shiftedVariant: Variant = {
  id: 'shifted',
  backgrounds: shiftedBackgrounds,
  palette(rng) {
    const hue = rng.next();
    return {
      background: () => hsv(hue + rng.uniform(-0.08, 0.08), rng.uniform(0, 0.35), rng.uniform(0.15, 0.95)),
      object: () => hsv(rng.next(), rng.uniform(0, 0.35), rng.uniform(0.1, 1)),
    };
  },
  lighting(rng) {
    const tint = hsv(rng.next(), rng.uniform(0.15, 0.35), 1);
    return {
      brightness: rng.uniform(0.7, 1.1),
      ramp: rng.uniform(0, 0.3),
      rampAngle: rng.uniform(0, 2 * Math.PI),
      spotX: rng.uniform(0.25, 0.75),
      spotY: rng.uniform(0.25, 0.75),
      spot: rng.uniform(0.25, 0.6),
      tint,
      noise: rng.uniform(0.03, 0.06),
    };
  },
};

export const variants = { source: sourceVariant, shifted: shiftedVariant } as const;
export type VariantId = keyof typeof variants;

import { type OptionSchema, type OptionValues, resolveOptions } from '../options.js';
import { Rng } from '../rng.js';
import type { Dataset, DatasetDefinition, LabelledImage } from './dataset.js';
import { renderImage } from './synthetic/render.js';
import { shapeClasses } from './synthetic/shapes.js';
import { variants, type VariantId } from './synthetic/variants.js';

/**
 * The embedded default dataset: procedurally rendered objects on cluttered backgrounds,
 * needing no download. Image i is a pure function of (seed, variant, split, class, k), so
 * it is identical on every machine and for any `classes`/`perClass` that include it.
 */
export interface SyntheticOptions {
  variant: VariantId;
  split: 'train' | 'test';
  perClass: number;
  size: number;
  seed: number;
  classes: number;
  /** Strength of the nuisances in [0, 1]: background texture contrast, distractors, occluders. */
  clutter?: number;
}

export const SYNTHETIC_CLASS_NAMES: readonly string[] = shapeClasses.map((c) => c.name);

/** Default images per class when `perClass` is not given. */
export const SYNTHETIC_PER_CLASS = { train: 500, test: 200 } as const;

/** Above this many bytes images are re-rendered on every `get` instead of kept. */
const CACHE_LIMIT_BYTES = 256 * 1024 * 1024;

export class SyntheticDataset implements Dataset {
  readonly name: string;
  readonly size: number;
  readonly classes: readonly string[];
  readonly shape: readonly [number, number, number];
  private readonly root: Rng;
  private readonly cache: Uint8Array | undefined;
  private readonly cached: Uint8Array;

  constructor(readonly options: SyntheticOptions) {
    const { variant, split, perClass, size, seed, classes } = options;
    if (classes < 1 || classes > shapeClasses.length) throw new RangeError(`classes must be 1..${shapeClasses.length}`);
    this.name = `synthetic${variant === 'shifted' ? '-shifted' : ''}/${split}`;
    this.size = classes * perClass;
    this.classes = SYNTHETIC_CLASS_NAMES.slice(0, classes);
    this.shape = [size, size, 3];
    this.root = new Rng(seed);
    const bytes = this.size * size * size * 3;
    this.cache = bytes <= CACHE_LIMIT_BYTES ? new Uint8Array(bytes) : undefined;
    this.cached = new Uint8Array(this.cache ? this.size : 0);
  }

  /** Labels interleave (0, 1, …, k−1, 0, 1, …) so that any prefix is class-balanced. */
  labelOf(index: number): number {
    return index % this.classes.length;
  }

  labels(): Int32Array {
    const out = new Int32Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.labelOf(i);
    return out;
  }

  /** The image, rendered on first use (synchronous; `get` wraps it). Do not mutate it. */
  image(index: number): Uint8Array {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`${this.name}: index ${index} is outside 0..${this.size - 1}`);
    }
    const pixels = this.shape[0] * this.shape[1] * 3;
    if (this.cache) {
      const view = this.cache.subarray(index * pixels, (index + 1) * pixels);
      if (!this.cached[index]) {
        this.render(index, view);
        this.cached[index] = 1;
      }
      return view;
    }
    const out = new Uint8Array(pixels);
    this.render(index, out);
    return out;
  }

  async get(index: number): Promise<LabelledImage> {
    // A copy, so that a caller who edits its image cannot corrupt the cache.
    return { image: this.image(index).slice(), label: this.labelOf(index) };
  }

  private render(index: number, out: Uint8Array): void {
    const { variant, split, size } = this.options;
    const label = this.labelOf(index);
    const k = Math.floor(index / this.classes.length);
    renderImage(shapeClasses[label]!, variants[variant], this.root.derive('synthetic', variant, split, label, k), size, out, 0, this.options.clutter ?? 1);
  }
}

const schema: OptionSchema = {
  split: { type: 'string', default: 'train', choices: ['train', 'test'], description: 'which split: train or test (disjoint images from the same distribution)' },
  perClass: {
    type: 'integer',
    min: 1,
    description: `images per class (default ${SYNTHETIC_PER_CLASS.train} for train, ${SYNTHETIC_PER_CLASS.test} for test)`,
  },
  size: { type: 'integer', default: 32, min: 8, max: 512, description: 'image height and width in pixels' },
  seed: { type: 'integer', default: 0, min: 0, description: 'generator seed: the same seed gives the same images everywhere' },
  classes: {
    type: 'integer',
    default: 10,
    min: 2,
    max: shapeClasses.length,
    description: `number of object classes, the first k of: ${SYNTHETIC_CLASS_NAMES.join(', ')}`,
  },
  clutter: {
    type: 'number',
    default: 1,
    min: 0,
    max: 1,
    description: 'nuisance strength: background texture contrast, distractor strokes and occluders (1 = full, 0 = plain scenes)',
  },
};

function openSynthetic(variant: VariantId, id: string, values: OptionValues): SyntheticDataset {
  const o = resolveOptions(schema, values, `dataset ${id}`);
  const split = o.split as 'train' | 'test';
  return new SyntheticDataset({
    variant,
    split,
    perClass: (o.perClass as number | undefined) ?? SYNTHETIC_PER_CLASS[split],
    size: o.size as number,
    seed: o.seed as number,
    classes: o.classes as number,
    clutter: o.clutter as number,
  });
}

export const syntheticDataset: DatasetDefinition = {
  id: 'synthetic',
  description: 'built-in procedural objects (ring, cross, star, …) on cluttered textured backgrounds; no download',
  options: schema,
  async open(values) {
    return openSynthetic('source', 'synthetic', values);
  },
};

export const syntheticShiftedDataset: DatasetDefinition = {
  id: 'synthetic-shifted',
  description: 'the synthetic objects in a shifted domain (other textures, muted colours, spot lighting): a downstream set',
  options: schema,
  async open(values) {
    return openSynthetic('shifted', 'synthetic-shifted', values);
  },
};

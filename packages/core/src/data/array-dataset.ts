import type { Dataset, LabelledImage } from './dataset.js';

export interface ArrayDatasetInit {
  name?: string;
  /** N·H·W·C bytes, image after image, HWC within each. */
  images: Uint8Array;
  /** N class indexes (−1 for unlabelled). */
  labels: Int32Array;
  classes: readonly string[];
  /** [height, width, channels] */
  shape: readonly [number, number, number];
}

/** A dataset held in memory: decoded images (a cache, a test fixture, a manifest's crops). */
export class ArrayDataset implements Dataset {
  readonly name: string;
  readonly size: number;
  readonly classes: readonly string[];
  readonly shape: readonly [number, number, number];
  private readonly images: Uint8Array;
  private readonly labelArray: Int32Array;
  private readonly pixels: number;

  constructor(init: ArrayDatasetInit) {
    const [h, w, c] = init.shape;
    this.name = init.name ?? 'array';
    this.size = init.labels.length;
    this.classes = init.classes;
    this.shape = [h, w, c];
    this.pixels = h * w * c;
    if (init.images.length !== this.size * this.pixels) {
      throw new RangeError(`${this.name}: ${init.images.length} bytes are not ${this.size} images of ${h}×${w}×${c}`);
    }
    for (let i = 0; i < this.size; i++) {
      const label = init.labels[i]!;
      if (!Number.isInteger(label) || label < -1 || label >= this.classes.length) {
        throw new RangeError(`${this.name}: label ${label} of image ${i} is outside −1..${this.classes.length - 1}`);
      }
    }
    this.images = init.images;
    this.labelArray = init.labels;
  }

  async get(index: number): Promise<LabelledImage> {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`${this.name}: index ${index} is outside 0..${this.size - 1}`);
    }
    // A copy: callers may edit their image without changing the dataset.
    return { image: this.images.slice(index * this.pixels, (index + 1) * this.pixels), label: this.labelArray[index]! };
  }

  labels(): Int32Array {
    return this.labelArray.slice();
  }
}

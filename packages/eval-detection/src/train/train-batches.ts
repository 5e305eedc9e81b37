import type { Rng } from '@sempair/core';
import type { DecodedImage, VocDataset, VocImage } from '../voc/voc-types.js';
import { drawTrainTransform, prepareImage, type Normalization, type PreparedImage } from './image-transforms.js';

export interface TrainBatchOptions {
  batchSize: number;
  minSizes: readonly number[];
  maxSize: number;
  flip: boolean;
  normalization: Normalization;
  /** Decoded images are kept up to this many bytes (the CPU preset's small sets fit whole). */
  cacheBytes: number;
}

/**
 * The training stream as detectron2 builds it: an endless sequence of seeded permutations of
 * the images that have at least one object (FILTER_EMPTY_ANNOTATIONS), grouped by aspect ratio
 * (landscape and portrait images fill separate batches, so padding stays small), each image
 * resized to a drawn shorter side and maybe flipped. Deterministic given the seed.
 */
export class TrainBatches {
  private readonly images: VocImage[];
  private readonly buckets: [number[], number[]] = [[], []];
  private readonly cache = new Map<number, DecodedImage>();
  private cachedBytes = 0;
  private epoch = 0;
  private order: Int32Array = new Int32Array(0);
  private cursor = 0;
  private drawn = 0;

  constructor(
    private readonly dataset: VocDataset,
    images: readonly VocImage[],
    private readonly options: TrainBatchOptions,
    private readonly rng: Rng,
  ) {
    this.images = images.filter((i) => i.objects.length > 0);
  }

  get size(): number {
    return this.images.length;
  }

  /** The next batch's image indexes (into the filtered list), advancing the stream. */
  private nextIndexes(): number[] {
    for (;;) {
      if (this.cursor >= this.order.length) {
        this.order = this.rng.derive('epoch', this.epoch++).permutation(this.images.length);
        this.cursor = 0;
      }
      const index = this.order[this.cursor++]!;
      const image = this.images[index]!;
      const bucket = this.buckets[image.width > image.height ? 0 : 1];
      bucket.push(index);
      if (bucket.length === this.options.batchSize) return bucket.splice(0);
    }
  }

  private async decode(index: number): Promise<DecodedImage> {
    const hit = this.cache.get(index);
    if (hit) return hit;
    const decoded = await this.dataset.loadImage(this.images[index]!);
    if (this.cachedBytes + decoded.data.length <= this.options.cacheBytes) {
      this.cache.set(index, decoded);
      this.cachedBytes += decoded.data.length;
    }
    return decoded;
  }

  /** Loads and transforms the next batch (decoding runs off the main thread, in sharp). */
  async next(): Promise<PreparedImage[]> {
    const indexes = this.nextIndexes();
    const decoded = await Promise.all(indexes.map((i) => this.decode(i)));
    return decoded.map((image, k) => {
      const transform = drawTrainTransform(this.options.minSizes, this.options.flip, this.rng.derive('transform', this.drawn++));
      return prepareImage(image, this.images[indexes[k]!]!.objects, { ...transform, maxSize: this.options.maxSize, normalization: this.options.normalization });
    });
  }
}

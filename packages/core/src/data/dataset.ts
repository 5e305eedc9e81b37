import type { OptionSchema, OptionValues } from '../options.js';
import type { Rng } from '../rng.js';

/** One image: `image` is uint8 HWC (length H·W·C), `label` is a class index (or -1 if unlabelled). */
export interface LabelledImage {
  image: Uint8Array;
  label: number;
}

/**
 * A labelled image collection. All images of a dataset share `shape` (readers resize on load).
 * `get` is async so that readers can stream from disk; in-memory datasets resolve at once.
 */
export interface Dataset {
  readonly name: string;
  readonly size: number;
  readonly classes: readonly string[];
  /** [height, width, channels] */
  readonly shape: readonly [number, number, number];
  get(index: number): Promise<LabelledImage>;
  /** Labels of all images, when known without decoding (lets pair sources group by class). */
  labels?(): Int32Array;
}

export interface DatasetContext {
  rng: Rng;
}

/** A registered reader: `sempair pretrain --dataset <id> --dataset-options key=value,…`. */
export interface DatasetDefinition {
  id: string;
  description: string;
  options: OptionSchema;
  open(options: OptionValues, context: DatasetContext): Promise<Dataset>;
}

import type { Dataset } from './dataset.js';

/** How many `get` calls may be pending at once: keeps memory bounded on large loads. */
const CHUNK = 512;

/**
 * Images and labels of `indexes`, packed for a batch: `images` is N·H·W·C uint8 (HWC per
 * image, in the order of `indexes`), `labels` N class indexes.
 */
export async function loadImages(dataset: Dataset, indexes: ArrayLike<number>): Promise<{ images: Uint8Array; labels: Int32Array }> {
  const [h, w, c] = dataset.shape;
  const pixels = h * w * c;
  const n = indexes.length;
  const images = new Uint8Array(n * pixels);
  const labels = new Int32Array(n);
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    const pending = [];
    for (let j = start; j < end; j++) pending.push(dataset.get(indexes[j]!));
    const items = await Promise.all(pending);
    items.forEach((item, k) => {
      if (item.image.length !== pixels) {
        throw new RangeError(`${dataset.name}: image ${indexes[start + k]} has ${item.image.length} bytes, shape [${h}, ${w}, ${c}] needs ${pixels}`);
      }
      images.set(item.image, (start + k) * pixels);
      labels[start + k] = item.label;
    });
  }
  return { images, labels };
}

/** All labels of a dataset: from `labels()` when the dataset knows them, else by reading every image. */
export async function loadLabels(dataset: Dataset): Promise<Int32Array> {
  if (dataset.labels) return dataset.labels();
  const labels = new Int32Array(dataset.size);
  for (let start = 0; start < dataset.size; start += CHUNK) {
    const end = Math.min(dataset.size, start + CHUNK);
    const pending = [];
    for (let i = start; i < end; i++) pending.push(dataset.get(i));
    (await Promise.all(pending)).forEach((item, k) => (labels[start + k] = item.label));
  }
  return labels;
}

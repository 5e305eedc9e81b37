import type { Dataset, LabelledImage } from './dataset.js';

/**
 * A view of some images of `dataset`, in the given order (repeats allowed): image j of the
 * subset is image `indexes[j]` of the parent. Nothing is copied or decoded up front.
 */
export function subsetDataset(dataset: Dataset, indexes: ArrayLike<number>, name = `${dataset.name}[subset]`): Dataset {
  const map = Int32Array.from(indexes as ArrayLike<number>);
  for (let j = 0; j < map.length; j++) {
    const i = map[j]!;
    if (!Number.isInteger(indexes[j]) || i < 0 || i >= dataset.size) {
      throw new RangeError(`subset of ${dataset.name}: index ${indexes[j]} is outside 0..${dataset.size - 1}`);
    }
  }
  const parentLabels = dataset.labels?.bind(dataset);
  const subset: Dataset = {
    name,
    size: map.length,
    classes: dataset.classes,
    shape: dataset.shape,
    get(index: number): Promise<LabelledImage> {
      if (!Number.isInteger(index) || index < 0 || index >= map.length) {
        return Promise.reject(new RangeError(`${name}: index ${index} is outside 0..${map.length - 1}`));
      }
      return dataset.get(map[index]!);
    },
  };
  if (parentLabels) {
    subset.labels = () => {
      const all = parentLabels();
      return map.map((i) => all[i]!);
    };
  }
  return subset;
}

import type { VocDataset } from '../voc/voc-types.js';
import { usesVoc07Metric, evaluateVoc, type VocMetricResult } from './voc-metric.js';
import { vocDetectionsFromPredictions, type ImagePredictions } from './voc-results.js';

/**
 * A detector's predictions on a VOC set, scored as detectron2 scores them: boxes in the
 * model's 0-based coordinates (VocObject.box space), `imageId` = VocImage.id, class indices
 * into `dataset.classes`. The 11-point metric when every part is VOC2007 (as detectron2
 * decides by year), unless `use07Metric` says otherwise.
 */
export function evaluateVocPredictions(
  dataset: Pick<VocDataset, 'images' | 'classes' | 'parts'>,
  predictions: readonly ImagePredictions[],
  { use07Metric }: { use07Metric?: boolean } = {},
): VocMetricResult {
  return evaluateVoc({
    images: dataset.images,
    classes: dataset.classes,
    detections: vocDetectionsFromPredictions(predictions, dataset.classes),
    use07Metric: use07Metric ?? dataset.parts.every((p) => usesVoc07Metric(p.year)),
  });
}

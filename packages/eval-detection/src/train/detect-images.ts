import type { ProgressListener } from '@sempair/core';
import type { FasterRcnn } from '../model/faster-rcnn.js';
import { boxNonEmpty, clipBoxes } from '../model/boxes.js';
import type { ImagePredictions } from '../metric/voc-results.js';
import type { VocDataset, VocImage } from '../voc/voc-types.js';
import { prepareImage, stackImages, type Normalization, type PreparedImage } from './image-transforms.js';

export interface DetectOptions {
  minSize: number;
  maxSize: number;
  normalization: Normalization;
  /** Images per forward pass; only images of one resized shape share a pass, so nothing is padded. */
  batchSize: number;
  progress?: ProgressListener;
}

/**
 * Runs the detector on every image (test transform: shorter side `minSize`, no flip) and
 * returns the detections in the original image's pixels, as detectron2's detector_postprocess:
 * boxes scaled by original / resized size per axis, clipped, empty ones dropped.
 */
export async function detectImages(model: FasterRcnn, dataset: VocDataset, images: readonly VocImage[], options: DetectOptions): Promise<ImagePredictions[]> {
  const out: ImagePredictions[] = [];
  const started = performance.now();
  let group: { image: VocImage; prepared: PreparedImage }[] = [];
  const flush = (): void => {
    if (group.length === 0) return;
    const { tensor, sizes } = stackImages(group.map((g) => g.prepared));
    let detections;
    try {
      detections = model.predict(tensor, sizes);
    } finally {
      tensor.dispose();
    }
    group.forEach(({ image, prepared }, k) => {
      const sx = prepared.sourceWidth / prepared.width;
      const sy = prepared.sourceHeight / prepared.height;
      const boxes = new Float64Array(detections[k]!.length * 4);
      detections[k]!.forEach((d, j) => boxes.set([d.box[0] * sx, d.box[1] * sy, d.box[2] * sx, d.box[3] * sy], 4 * j));
      clipBoxes(boxes, prepared.sourceHeight, prepared.sourceWidth);
      const kept = detections[k]!.map((_, j) => j).filter((j) => boxNonEmpty(boxes, j));
      out.push({
        imageId: image.id,
        boxes: kept.flatMap((j) => Array.from(boxes.subarray(4 * j, 4 * j + 4))),
        scores: kept.map((j) => detections[k]![j]!.score),
        classes: kept.map((j) => detections[k]![j]!.classIndex),
      });
    });
    group = [];
    const done = out.length;
    const seconds = (performance.now() - started) / 1000;
    options.progress?.({ phase: 'test', step: done, steps: images.length, imagesPerSecond: done / seconds, etaSeconds: ((images.length - done) * seconds) / done });
  };
  for (const image of images) {
    const decoded = await dataset.loadImage(image);
    const prepared = prepareImage(decoded, [], { shortSide: options.minSize, maxSize: options.maxSize, flip: false, normalization: options.normalization });
    const head = group[0]?.prepared;
    if (head && (head.height !== prepared.height || head.width !== prepared.width || group.length >= options.batchSize)) flush();
    group.push({ image, prepared });
  }
  flush();
  return out;
}

/**
 * The data contract of the detection package: what a PASCAL VOC set looks like once read.
 *
 * Coordinates. VOC's XML gives integer, 1-based, inclusive pixel indices: a box covering
 * the whole W×H image is xmin=1, ymin=1, xmax=W, ymax=H. Two views are kept:
 * - `box`: detectron2's training coordinates (`datasets/pascal_voc.py`): continuous pixels,
 *   0-based, [xmin-1, ymin-1, xmax, ymax], so the whole image is [0, 0, W, H]. The model
 *   trains on and predicts boxes in this space.
 * - `vocBox`: the XML numbers as written (1-based inclusive). The metric compares
 *   detections with these, as detectron2's `voc_eval` does (it re-reads the XML).
 */

/** The twenty PASCAL VOC classes in the standard order (detectron2's CLASS_NAMES). */
export const VOC_CLASSES = [
  'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
] as const;

/** [x1, y1, x2, y2] */
export type Box = [number, number, number, number];

/** One annotated object of an image. */
export interface VocObject {
  /** The class name as written in the XML (`<name>`). */
  cls: string;
  /** Index of `cls` in the set's class list. */
  classIndex: number;
  /** Training coordinates: 0-based continuous [xmin-1, ymin-1, xmax, ymax]. */
  box: Box;
  /** The XML's 1-based inclusive [xmin, ymin, xmax, ymax]. */
  vocBox: Box;
  /** VOC's "difficult" flag (ignored by the metric; detectron2 still trains on these). */
  difficult: boolean;
  truncated: boolean;
}

/** One image's annotation (from `Annotations/<id>.xml`). */
export interface VocImage {
  /** The image id as listed in `ImageSets/Main/<split>.txt`, e.g. '000005' or '2008_000002'. */
  id: string;
  /** Which devkit folder it came from, e.g. 'VOC2007'. */
  year: string;
  /** `<size>` of the XML (pixels). */
  width: number;
  height: number;
  objects: VocObject[];
}

/** A decoded image: uint8 HWC RGB, length height·width·3. */
export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A part of a VOCdevkit: one year's folder and one image set, e.g. VOC2007 test. */
export interface VocPart {
  /** Devkit folder name: 'VOC2007', 'VOC2012', or any folder under the root. */
  year: string;
  /** Image set under ImageSets/Main: 'train', 'val', 'trainval', 'test'. */
  split: string;
}

/**
 * One or more parts of a VOCdevkit read together (e.g. VOC2007 trainval + VOC2012 trainval).
 * Images are in the order of the parts, then of each image-set file.
 */
export interface VocDataset {
  /** The devkit root (the folder holding VOC2007/, VOC2012/). */
  readonly root: string;
  readonly parts: readonly VocPart[];
  /** The class list `classIndex` refers to. */
  readonly classes: readonly string[];
  readonly images: readonly VocImage[];
  /** Path of an image's JPEG (`<root>/<year>/JPEGImages/<id>.jpg`). */
  imagePath(image: VocImage): string;
  /** Decodes an image at its own size (no resize) as RGB; throws a UserError naming the file. */
  loadImage(image: VocImage): Promise<DecodedImage>;
}

import { decodeImageFileAsIs, UserError } from '@sempair/core';
import { mapLimited, readVocAnnotation, readVocImageSet, vocClassList, vocImagePath, vocImageSetPath } from './voc-devkit.js';
import type { DecodedImage, VocDataset, VocImage, VocObject, VocPart } from './voc-types.js';

export interface OpenVocOptions {
  /** The class list objects are indexed by; default: `<root>/classes.txt` if present, else VOC's twenty. */
  classes?: readonly string[];
  /**
   * An object whose class is not in the list: 'error' (the default, as detectron2's loader
   * fails) or 'skip' (drop it, e.g. to train on a subset of the classes).
   */
  unknownClasses?: 'error' | 'skip';
}

/** How many annotation files are read at once. */
const READ_CONCURRENCY = 16;

/**
 * Opens one or more parts of a VOCdevkit (e.g. VOC2007 trainval + VOC2012 trainval): reads
 * every listed annotation up front (small XML files), decodes JPEGs only on `loadImage`.
 */
export async function openVocDataset(root: string, parts: readonly VocPart[], options: OpenVocOptions = {}): Promise<VocDataset> {
  const classes = options.classes ? [...options.classes] : (await vocClassList(root)).classes;
  const classIndex = new Map(classes.map((name, k) => [name, k]));
  const images: VocImage[] = [];
  const seen = new Map<string, string>();
  for (const part of parts) {
    const ids = await readVocImageSet(root, part);
    const listedIn = vocImageSetPath(root, part);
    for (const id of ids) {
      const key = `${part.year}/${id}`;
      const earlier = seen.get(key);
      if (earlier) throw new UserError(`image ${key} is in both ${earlier} and ${part.year}:${part.split}`, 'combine parts that do not overlap (trainval already holds train and val)');
      seen.set(key, `${part.year}:${part.split}`);
    }
    const annotations = await mapLimited(ids, READ_CONCURRENCY, (id) => readVocAnnotation(root, part.year, id, listedIn));
    for (const [k, annotation] of annotations.entries()) {
      const id = ids[k]!;
      const objects: VocObject[] = [];
      for (const [n, object] of annotation.objects.entries()) {
        const index = classIndex.get(object.name);
        if (index === undefined) {
          if (options.unknownClasses === 'skip') continue;
          throw new UserError(
            `${part.year}/Annotations/${id}.xml, object ${n + 1}: class "${object.name}" is not one of the ${classes.length} classes (${classes.slice(0, 5).join(', ')}${classes.length > 5 ? ', …' : ''})`,
            'pass the set\'s class list (or list it in classes.txt at the devkit root)',
          );
        }
        const [xmin, ymin, xmax, ymax] = object.vocBox;
        objects.push({
          cls: object.name,
          classIndex: index,
          // detectron2's pascal_voc.py: 1-based inclusive pixel indices → 0-based continuous.
          box: [xmin - 1, ymin - 1, xmax, ymax],
          vocBox: [xmin, ymin, xmax, ymax],
          difficult: object.difficult,
          truncated: object.truncated,
        });
      }
      images.push({ id, year: part.year, width: annotation.width, height: annotation.height, objects });
    }
  }
  const imagePath = (image: VocImage): string => vocImagePath(root, image.year, image.id);
  return {
    root,
    parts: parts.map((p) => ({ ...p })),
    classes,
    images,
    imagePath,
    async loadImage(image: VocImage): Promise<DecodedImage> {
      const path = imagePath(image);
      const decoded = await decodeImageFileAsIs(path, 3, 'restore the JPEGImages folder from the VOC archive');
      if (decoded.width !== image.width || decoded.height !== image.height) {
        throw new UserError(
          `${path} is ${decoded.width}×${decoded.height} but its annotation says ${image.width}×${image.height}`,
          'the image and Annotations/' + `${image.id}.xml do not belong together; restore both from the VOC archive`,
        );
      }
      return { data: decoded.data, width: decoded.width, height: decoded.height };
    },
  };
}

import { UserError } from '@sempair/core';
import { mapLimited, readVocAnnotation, readVocImageSet, vocAnnotationPath, vocImageSetPath } from '../voc/voc-devkit.js';
import type { VocPart } from '../voc/voc-types.js';
import type { VocGroundTruthImage } from './voc-eval.js';

/**
 * The ground truth voc_eval reads: the image set `ImageSets/Main/<split>.txt` and every
 * listed image's objects (all classes, difficult ones included) from its XML. Boxes must
 * be whole numbers, as voc_eval's int() requires.
 */
export async function readVocGroundTruth(root: string, part: VocPart): Promise<VocGroundTruthImage[]> {
  const ids = await readVocImageSet(root, part);
  const listedIn = vocImageSetPath(root, part);
  return mapLimited(ids, 16, async (id) => {
    const annotation = await readVocAnnotation(root, part.year, id, listedIn);
    const objects = annotation.objects.map((o, k) => {
      if (!o.vocBox.every(Number.isInteger)) {
        throw new UserError(`${vocAnnotationPath(root, part.year, id)}, object ${k + 1}: box [${o.vocBox.join(', ')}] is not whole pixels`, 'the VOC metric needs integer 1-based boxes, as VOC writes them');
      }
      return { cls: o.name, vocBox: o.vocBox, difficult: o.difficult };
    });
    return { id, objects };
  });
}

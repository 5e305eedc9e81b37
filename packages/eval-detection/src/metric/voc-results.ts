import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError, writeFileAtomic } from '@sempair/core';
import type { Box } from '../voc/voc-types.js';
import { pythonFixed } from './python-format.js';
import type { VocDetection } from './voc-eval.js';

/**
 * The VOC devkit results format: one file per class, `<comp>_det_<split>_<class>.txt`
 * (comp4: trained on data of one's own choosing), one line per detection
 * `image_id score xmin ymin xmax ymax`. The box is the model's 0-based continuous box with
 * 1 added to xmin and ymin: detectron2's evaluator writes `xmin + 1, ymin + 1, xmax, ymax`
 * (in float32, the box's dtype), the score with 3 decimals and the coordinates with 1, and
 * voc_eval reads those rounded numbers back. `vocDetectionsFromPredictions` does the same
 * in memory, so an in-memory evaluation equals one through the files.
 */
export function vocResultsFileName(cls: string, split = 'test', comp = 'comp4'): string {
  return `${comp}_det_${split}_${cls}.txt`;
}

/** One results line, formatted as detectron2 formats it. */
export function vocResultsLine(d: VocDetection): string {
  const [x0, y0, x1, y1] = d.box;
  return `${d.imageId} ${pythonFixed(d.score, 3)} ${pythonFixed(x0, 1)} ${pythonFixed(y0, 1)} ${pythonFixed(x1, 1)} ${pythonFixed(y1, 1)}`;
}

/** A model's predictions for one image: 0-based continuous boxes (detectron2's XYXY_ABS). */
export interface ImagePredictions {
  imageId: string;
  /** [x0, y0, x1, y1] per detection, row-major (length 4·n). */
  boxes: ArrayLike<number>;
  scores: ArrayLike<number>;
  /** Class index per detection, into the class list passed alongside. */
  classes: ArrayLike<number>;
}

/**
 * What detectron2's `PascalVOCDetectionEvaluator.process` writes, as detections per class:
 * float32 box and score, xmin+1 and ymin+1 in float32, rounded as the files round them.
 */
export function vocDetectionsFromPredictions(predictions: readonly ImagePredictions[], classes: readonly string[]): Map<string, VocDetection[]> {
  const out = new Map<string, VocDetection[]>(classes.map((c) => [c, []]));
  const f32 = Math.fround;
  for (const p of predictions) {
    const n = p.scores.length;
    if (p.boxes.length !== 4 * n || p.classes.length !== n) throw new Error(`predictions for ${p.imageId}: ${n} scores, ${p.boxes.length / 4} boxes, ${p.classes.length} classes`);
    for (let k = 0; k < n; k++) {
      const cls = classes[p.classes[k]!];
      if (cls === undefined) throw new Error(`predictions for ${p.imageId}: class index ${p.classes[k]} is outside the ${classes.length} classes`);
      const box: Box = [f32(f32(p.boxes[4 * k]!) + 1), f32(f32(p.boxes[4 * k + 1]!) + 1), f32(p.boxes[4 * k + 2]!), f32(p.boxes[4 * k + 3]!)];
      const rounded = parseVocResultsLine(vocResultsLine({ imageId: p.imageId, score: f32(p.scores[k]!), box }), 'predictions', k + 1);
      out.get(cls)!.push(rounded);
    }
  }
  return out;
}

/** Parses one results line; `file` and `line` name it in errors. */
export function parseVocResultsLine(text: string, file: string, line: number): VocDetection {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 6) throw new UserError(`${file}, line ${line}: ${fields.length} fields, expected 6 (image_id score xmin ymin xmax ymax)`, 'write one detection a line in the VOC devkit results format');
  const numbers = fields.slice(1).map((field) => (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(field) ? Number(field) : NaN));
  const bad = numbers.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new UserError(`${file}, line ${line}: "${fields[bad + 1]}" is not a number`, 'write one detection a line in the VOC devkit results format');
  return { imageId: fields[0]!, score: numbers[0]!, box: [numbers[1]!, numbers[2]!, numbers[3]!, numbers[4]!] };
}

/** The detections of a results file (blank lines are skipped). */
export function parseVocResults(text: string, file: string): VocDetection[] {
  const out: VocDetection[] = [];
  for (const [k, line] of text.split(/\r?\n/).entries()) if (line.trim()) out.push(parseVocResultsLine(line, file, k + 1));
  return out;
}

export interface VocResultsDir {
  detections: Map<string, VocDetection[]>;
  /** Classes without a results file (evaluated as having no detections). */
  missing: string[];
}

/** Reads `<dir>/<comp>_det_<split>_<class>.txt` for each class. */
export async function readVocResultsDir(dir: string, classes: readonly string[], split = 'test', comp = 'comp4'): Promise<VocResultsDir> {
  const detections = new Map<string, VocDetection[]>();
  const missing: string[] = [];
  for (const cls of classes) {
    const path = join(dir, vocResultsFileName(cls, split, comp));
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw new UserError(`cannot read ${path}: ${error.message}`, 'check the file\'s permissions');
    });
    if (text === undefined) missing.push(cls);
    else detections.set(cls, parseVocResults(text, path));
  }
  return { detections, missing };
}

/** Writes one results file per class (every class, empty files included), each atomically. */
export async function writeVocResultsDir(dir: string, classes: readonly string[], detections: ReadonlyMap<string, readonly VocDetection[]>, split = 'test', comp = 'comp4'): Promise<string[]> {
  const paths: string[] = [];
  for (const cls of classes) {
    const path = join(dir, vocResultsFileName(cls, split, comp));
    await writeFileAtomic(path, (detections.get(cls) ?? []).map((d) => `${vocResultsLine(d)}\n`).join(''));
    paths.push(path);
  }
  return paths;
}

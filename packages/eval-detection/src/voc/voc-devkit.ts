import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '@sempair/core';
import { parseVocAnnotation, type VocAnnotation } from './voc-annotation.js';
import { VOC_CLASSES, type VocPart } from './voc-types.js';

/**
 * The VOCdevkit layout:
 *   <root>/VOC2007/Annotations/<id>.xml
 *   <root>/VOC2007/JPEGImages/<id>.jpg
 *   <root>/VOC2007/ImageSets/Main/{train,val,trainval,test}.txt
 * and the same under VOC2012/. A set whose classes are not VOC's twenty lists them, one
 * per line, in `<root>/classes.txt` (the synthetic generator writes one).
 */
export const VOC_CLASS_LIST_FILE = 'classes.txt';

export function vocYearDir(root: string, year: string): string {
  return join(root, year);
}
export function vocAnnotationPath(root: string, year: string, id: string): string {
  return join(root, year, 'Annotations', `${id}.xml`);
}
export function vocImagePath(root: string, year: string, id: string): string {
  return join(root, year, 'JPEGImages', `${id}.jpg`);
}
export function vocImageSetPath(root: string, part: VocPart): string {
  return join(root, part.year, 'ImageSets', 'Main', `${part.split}.txt`);
}

const PART_FIX = 'write parts as YEAR:SPLIT[,YEAR:SPLIT…], e.g. VOC2007:trainval,VOC2012:trainval (2007+2012:trainval for short)';

/**
 * Parses a parts spec: comma-separated `YEAR:SPLIT`, where YEAR is a devkit folder
 * ('VOC2007', or just '2007') and may join several with '+': '2007+2012:trainval' is
 * 'VOC2007:trainval,VOC2012:trainval'.
 */
export function parseVocParts(spec: string): VocPart[] {
  const parts: VocPart[] = [];
  for (const item of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const colon = item.lastIndexOf(':');
    if (colon <= 0 || colon === item.length - 1) throw new UserError(`VOC part "${item}" is not YEAR:SPLIT`, PART_FIX);
    const split = item.slice(colon + 1);
    for (const year of item.slice(0, colon).split('+')) {
      if (!year) throw new UserError(`VOC part "${item}" has an empty year`, PART_FIX);
      const folder = /^\d{4}$/.test(year) ? `VOC${year}` : year;
      if (parts.some((p) => p.year === folder && p.split === split)) throw new UserError(`VOC part ${folder}:${split} is listed twice`, PART_FIX);
      parts.push({ year: folder, split });
    }
  }
  if (parts.length === 0) throw new UserError(`no VOC part in "${spec}"`, PART_FIX);
  return parts;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

async function listNames(dir: string, suffix: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith(suffix)).map((n) => n.slice(0, -suffix.length)).sort();
}

/** Checks that the root and the part's year folder exist, with errors that say what is there. */
export async function checkVocPart(root: string, part: VocPart): Promise<void> {
  if (!(await isDirectory(root))) throw new UserError(`VOC root ${root} is not a folder`, 'pass the VOCdevkit folder, the one holding VOC2007/ (and VOC2012/)');
  const dir = vocYearDir(root, part.year);
  if (!(await isDirectory(dir))) {
    const entries = await readdir(root, { withFileTypes: true });
    const years = entries.filter((e) => e.isDirectory() && e.name.startsWith('VOC')).map((e) => e.name).sort();
    throw new UserError(
      `${dir} not found (${years.length ? `${root} holds ${years.join(', ')}` : `${root} holds no VOC20xx folder`})`,
      'pass the VOCdevkit folder itself as the root, and a year it holds',
    );
  }
}

/** The image ids of one part, in file order; errors name the file and list the splits there. */
export async function readVocImageSet(root: string, part: VocPart): Promise<string[]> {
  await checkVocPart(root, part);
  const path = vocImageSetPath(root, part);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    const splits = await listNames(join(root, part.year, 'ImageSets', 'Main'), '.txt');
    const known = splits.filter((s) => !s.includes('_'));
    throw new UserError(`image set ${path} not found`, known.length ? `splits of ${part.year}: ${known.join(', ')}` : `${part.year} has no ImageSets/Main/*.txt; is it a complete VOCdevkit folder?`);
  }
  // One id per line; VOC's own files have nothing else (per-class files add a ±1 column).
  const ids = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const seen = new Set<string>();
  for (const [k, line] of ids.entries()) {
    if (/\s/.test(line)) throw new UserError(`${path}, line ${k + 1}: "${line}" is not a single image id`, 'use a plain image-set file (ImageSets/Main/<split>.txt), not a per-class one');
    if (seen.has(line)) throw new UserError(`${path} lists image ${line} twice`, 'remove the repeated line');
    seen.add(line);
  }
  if (ids.length === 0) throw new UserError(`image set ${path} is empty`, 'pass a split that lists images');
  return ids;
}

/** Reads and parses `Annotations/<id>.xml`; a missing file names the image set that lists it. */
export async function readVocAnnotation(root: string, year: string, id: string, listedIn?: string): Promise<VocAnnotation> {
  const path = vocAnnotationPath(root, year, id);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UserError(`annotation ${path} is missing${listedIn ? ` (image ${id} is listed in ${listedIn})` : ''}`, 'restore the Annotations folder from the VOC archive');
  }
  return parseVocAnnotation(text, path);
}

/** Runs `work` over `items` with at most `limit` at a time, keeping the order of results. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const k = next++;
      results[k] = await work(items[k]!, k);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * The class list of a devkit: `<root>/classes.txt` (one name a line) when present, else
 * VOC's twenty. `source` says which, for messages.
 */
export async function vocClassList(root: string): Promise<{ classes: string[]; source: string }> {
  const path = join(root, VOC_CLASS_LIST_FILE);
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return { classes: [...VOC_CLASSES], source: "PASCAL VOC's 20 classes" };
  const classes = parseClassList(text.split(/\r?\n/), path);
  return { classes, source: path };
}

/** Validates a class list: non-empty names without white space, none twice. */
export function parseClassList(names: readonly string[], where: string): string[] {
  const classes = names.map((n) => n.trim()).filter(Boolean);
  if (classes.length === 0) throw new UserError(`${where} lists no class`, 'list one class name a line (or comma-separated on the command line)');
  const seen = new Set<string>();
  for (const name of classes) {
    if (/\s/.test(name)) throw new UserError(`${where}: class name "${name}" contains white space`, 'VOC class names are single words, e.g. pottedplant');
    if (seen.has(name)) throw new UserError(`${where} lists class ${name} twice`, 'list each class once');
    seen.add(name);
  }
  return classes;
}

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeImage, Rng, shapeClasses, UserError, writeFileAtomic, writeJsonAtomic } from '@sempair/core';
import { classShape, OBJECT_COLOURS, renderScene, type ObjectColours, type Scene } from './synthetic-scene.js';
import { parseClassList, VOC_CLASS_LIST_FILE } from './voc-devkit.js';

/**
 * A small synthetic detection set written in the real VOCdevkit layout (JPEGs, XML
 * annotations, ImageSets/Main split lists and per-class lists, `classes.txt` at the root),
 * for tests and the CPU preset of detection training. Seeded: one (options, seed) is one set.
 */
export interface SyntheticVocOptions {
  /** The devkit root to create (must be empty or absent). */
  out: string;
  /** Number of images, split into trainval and test. */
  images: number;
  /** Longest image side in pixels; each image's sides are drawn in [0.75·size, size]. */
  size: number;
  seed: number;
  /** Class names; default four named after their shapes. */
  classes?: readonly string[];
  /** Devkit folder; default 'VOC2007' (the year whose metric is the 11-point AP). */
  year?: string;
  /** Fraction of the images in `test`; default 0.5 (VOC2007's own split is about half). */
  testFraction?: number;
  /** Objects per image, at most; default 3. */
  maxObjects?: number;
  /** Chance an object is small, faint and marked difficult; default 0.1. */
  difficultRate?: number;
  /** 'class' (default): a hue per class; 'random': any hue, only the shape tells the class. */
  colours?: ObjectColours;
  /** JPEG quality; default 90. */
  quality?: number;
}

export interface SyntheticVocSummary {
  root: string;
  year: string;
  classes: string[];
  /** The shape each class is drawn as. */
  shapes: string[];
  splits: Record<string, number>;
  objects: number;
  difficult: number;
  truncated: number;
}

/** Default class names: the first four shapes (ring, cross, triangle, star). */
export const SYNTHETIC_VOC_CLASSES: readonly string[] = shapeClasses.slice(0, 4).map((s) => s.name);

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An annotation in the layout of VOC2007's own files (tabs, the same elements). */
export function annotationXml(year: string, id: string, scene: Scene, classes: readonly string[]): string {
  const objects = scene.objects.map((o) => {
    // 0-based covered pixel indices → VOC's 1-based inclusive indices.
    const [x0, y0, x1, y1] = o.pixels;
    return [
      '\t<object>',
      `\t\t<name>${escapeXml(classes[o.classIndex]!)}</name>`,
      '\t\t<pose>Unspecified</pose>',
      `\t\t<truncated>${o.truncated ? 1 : 0}</truncated>`,
      `\t\t<difficult>${o.difficult ? 1 : 0}</difficult>`,
      '\t\t<bndbox>',
      `\t\t\t<xmin>${x0 + 1}</xmin>`,
      `\t\t\t<ymin>${y0 + 1}</ymin>`,
      `\t\t\t<xmax>${x1 + 1}</xmax>`,
      `\t\t\t<ymax>${y1 + 1}</ymax>`,
      '\t\t</bndbox>',
      '\t</object>',
    ].join('\n');
  });
  return [
    '<annotation>',
    `\t<folder>${escapeXml(year)}</folder>`,
    `\t<filename>${id}.jpg</filename>`,
    '\t<source>',
    '\t\t<database>sempair synthetic VOC</database>',
    '\t</source>',
    '\t<size>',
    `\t\t<width>${scene.width}</width>`,
    `\t\t<height>${scene.height}</height>`,
    '\t\t<depth>3</depth>',
    '\t</size>',
    '\t<segmented>0</segmented>',
    ...objects,
    '</annotation>',
    '',
  ].join('\n');
}

function checkCount(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new UserError(`${name} is ${value}, not a whole number in [${min}, ${max}]`, `pass ${name} as a whole number from ${min}`);
}

export async function writeSyntheticVoc(options: SyntheticVocOptions): Promise<SyntheticVocSummary> {
  const year = options.year ?? 'VOC2007';
  const classes = parseClassList(options.classes ?? SYNTHETIC_VOC_CLASSES, 'the synthetic class list');
  const testFraction = options.testFraction ?? 0.5;
  checkCount('images', options.images, 2);
  checkCount('size', options.size, 32, 4096);
  checkCount('maxObjects', options.maxObjects ?? 3, 1, 20);
  if (!(testFraction > 0 && testFraction < 1)) throw new UserError(`testFraction is ${testFraction}, not strictly between 0 and 1`, 'pass a fraction such as 0.5');
  const difficultRate = options.difficultRate ?? 0.1;
  if (!(difficultRate >= 0 && difficultRate < 1)) throw new UserError(`difficultRate is ${difficultRate}, not in [0, 1)`, 'pass a chance such as 0.1');
  const colours = options.colours ?? 'class';
  if (!OBJECT_COLOURS.includes(colours)) throw new UserError(`colours is ${String(colours)}, not one of ${OBJECT_COLOURS.join(', ')}`, `pass colours as ${OBJECT_COLOURS.join(' or ')}`);
  const existing = await readdir(options.out).catch(() => [] as string[]);
  if (existing.length > 0) throw new UserError(`${options.out} is not empty`, 'pass a new or empty folder for the synthetic VOC set');

  // Write the year folder under a temporary name, then rename: a set is there whole or not at all.
  await mkdir(options.out, { recursive: true });
  const tmp = join(options.out, `.${year}.${randomBytes(4).toString('hex')}.tmp`);
  const dirs = { annotations: join(tmp, 'Annotations'), images: join(tmp, 'JPEGImages'), sets: join(tmp, 'ImageSets', 'Main') };
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  try {
    const rng = new Rng(options.seed);
    const ids = Array.from({ length: options.images }, (_, k) => String(k + 1).padStart(6, '0'));
    const testCount = Math.max(1, Math.min(options.images - 1, Math.round(options.images * testFraction)));
    const trainval = ids.slice(0, options.images - testCount);
    const splits: Record<string, string[]> = {
      train: trainval.filter((_, k) => k % 2 === 0),
      val: trainval.filter((_, k) => k % 2 === 1),
      trainval,
      test: ids.slice(options.images - testCount),
    };
    // Per-class lists as VOC writes them: 1 the class is there, 0 only as difficult, -1 absent.
    const presence = new Map<string, Int8Array>();
    let objects = 0;
    let difficult = 0;
    let truncated = 0;
    for (const [k, id] of ids.entries()) {
      const imageRng = rng.derive('image', k);
      const width = Math.round(options.size * imageRng.uniform(0.75, 1));
      const height = Math.round(options.size * imageRng.uniform(0.75, 1));
      const scene = renderScene(imageRng, {
        width, height, classCount: classes.length, maxObjects: options.maxObjects ?? 3,
        minScale: 0.22, maxScale: 0.5, difficultRate, truncatedRate: 0.1, colours,
      });
      const flags = new Int8Array(classes.length).fill(-1);
      for (const o of scene.objects) {
        if (!o.difficult) flags[o.classIndex] = 1;
        else if (flags[o.classIndex] === -1) flags[o.classIndex] = 0;
        objects++;
        if (o.difficult) difficult++;
        if (o.truncated) truncated++;
      }
      presence.set(id, flags);
      const jpeg = await encodeImage(scene.rgb, { width, height, channels: 3 }, { type: 'jpeg', quality: options.quality ?? 90 });
      await writeFile(join(dirs.images, `${id}.jpg`), jpeg);
      await writeFile(join(dirs.annotations, `${id}.xml`), annotationXml(year, id, scene, classes));
    }
    for (const [split, list] of Object.entries(splits)) {
      await writeFile(join(dirs.sets, `${split}.txt`), list.map((id) => `${id}\n`).join(''));
      for (const [c, name] of classes.entries()) {
        const lines = list.map((id) => `${id} ${String(presence.get(id)![c]).padStart(2)}\n`);
        await writeFile(join(dirs.sets, `${name}_${split}.txt`), lines.join(''));
      }
    }
    await rename(tmp, join(options.out, year));
    const summary: SyntheticVocSummary = {
      root: options.out,
      year,
      classes,
      shapes: classes.map((_, c) => classShape(c)),
      splits: Object.fromEntries(Object.entries(splits).map(([s, list]) => [s, list.length])),
      objects,
      difficult,
      truncated,
    };
    await writeFileAtomic(join(options.out, VOC_CLASS_LIST_FILE), classes.map((c) => `${c}\n`).join(''));
    await writeJsonAtomic(join(options.out, 'synthetic-voc.json'), { ...summary, options: { ...options, year, classes, testFraction, difficultRate, colours } });
    return summary;
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { Rng } from '../rng.js';
import { writeFileAtomic, writeJsonAtomic } from '../runs/atomic-write.js';
import { readSynsetMapping, resolveClasses, type ResolvedClass } from './synset-mapping.js';

/** The paper's class list (Appendix A.5), shipped with core. */
export const PAPER_CLASSES_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets', 'paper-classes.txt');

/** Class names from a file: one per line, `#` starts a comment. */
export async function readClassList(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UserError(`cannot read the class list ${file}`, 'pass --classes paper, or a file with one class name per line');
  });
  return text.split(/\r?\n/).map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
}

export interface BuildSubsetOptions {
  /** ImageNet's train directory: `<train>/<wnid>/*.JPEG`. */
  trainDir: string;
  mappingFile: string;
  classNames: readonly string[];
  /** Pairs per class (the paper: 157). */
  perClass: number;
  seed: number;
  outDir: string;
  /** Ids for names that match several synsets, e.g. crane → n02012849. */
  picks?: ReadonlyMap<string, string>;
}

export interface SubsetFiles {
  semantic: string;
  augmented: string;
  summary: string;
  pairs: number;
  classes: ResolvedClass[];
}

const IMAGE = /\.(jpe?g|png|webp)$/i;

/**
 * Builds the paper's pre-training sets from an ImageNet train directory: per class, 2·perClass
 * distinct images drawn by a seeded permutation of the sorted file list. The semantic set pairs
 * them two by two (perClass pairs of different images of the class); the matched augmented set
 * pairs each pair's first image with itself, so both sets have the same classes, pair count and
 * anchors. Both are curated-pair manifests (`class,image_a,image_b`, paths relative to the
 * manifest) for `--pairs semantic-manifest`; `subset.json` records the classes, ids, seed and
 * each manifest's SHA-256, so a subset can be checked and rebuilt exactly.
 */
export async function buildImageNetSubset(options: BuildSubsetOptions): Promise<SubsetFiles> {
  const { trainDir, perClass, seed, outDir } = options;
  if (!existsSync(trainDir)) throw new UserError(`ImageNet train directory ${trainDir} does not exist`, 'pass --imagenet <…/ILSVRC/Data/CLS-LOC/train>');
  const classes = resolveClasses(options.classNames, await readSynsetMapping(options.mappingFile), options.picks);
  const seen = new Map<string, string>();
  for (const c of classes) {
    const other = seen.get(c.wnid);
    if (other) throw new UserError(`classes '${other}' and '${c.name}' both map to ${c.wnid}`, 'list each class once, or --pick another id');
    seen.set(c.wnid, c.name);
  }
  const rng = new Rng(seed).derive('imagenet-subset');
  const semantic: string[] = ['class,image_a,image_b'];
  const augmented: string[] = ['class,image_a,image_b'];
  const csv = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  for (const c of classes) {
    const dir = join(trainDir, c.wnid);
    const files = existsSync(dir) ? (await readdir(dir)).filter((f) => IMAGE.test(f)).sort() : [];
    if (files.length < 2 * perClass) {
      throw new UserError(`class '${c.name}' (${c.wnid}) has ${files.length} images in ${dir}; ${perClass} pairs need ${2 * perClass}`, 'lower --per-class, or check the train directory');
    }
    const order = rng.derive(c.wnid).permutation(files.length);
    for (let j = 0; j < perClass; j++) {
      const a = relative(outDir, join(dir, files[order[2 * j]!]!));
      const b = relative(outDir, join(dir, files[order[2 * j + 1]!]!));
      semantic.push([c.name, a, b].map(csv).join(','));
      augmented.push([c.name, a, a].map(csv).join(','));
    }
  }
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const semanticText = `${semantic.join('\n')}\n`;
  const augmentedText = `${augmented.join('\n')}\n`;
  const files = { semantic: join(outDir, 'semantic-pairs.csv'), augmented: join(outDir, 'augmented-pairs.csv'), summary: join(outDir, 'subset.json') };
  await writeFileAtomic(files.semantic, semanticText);
  await writeFileAtomic(files.augmented, augmentedText);
  await writeJsonAtomic(files.summary, {
    format: 'sempair-imagenet-subset',
    version: 1,
    trainDir,
    perClass,
    seed,
    pairs: classes.length * perClass,
    classes,
    manifests: {
      semantic: { file: 'semantic-pairs.csv', sha256: sha(semanticText) },
      augmented: { file: 'augmented-pairs.csv', sha256: sha(augmentedText) },
    },
  });
  return { ...files, pairs: classes.length * perClass, classes };
}

import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Dataset, LabelledImage } from '../data/dataset.js';
import { decodeImage } from '../data/image-decode.js';
import { UserError } from '../errors.js';
import { readManifest, type ManifestRow } from './manifest-file.js';
import type { Rng } from '../rng.js';
import type { Pair, PairSourceDefinition } from './pair-source.js';
import { perClassOption } from './per-class-subset.js';

/**
 * Curated semantic pairs from a manifest (CSV or JSONL of class, image_a, image_b).
 * Image references are either integers (indexes into --dataset) or file paths relative to
 * the manifest, decoded with sharp and resized to the dataset's image shape. Every file is
 * checked before training starts.
 */
export const semanticManifestPairs: PairSourceDefinition = {
  id: 'semantic-manifest',
  description: 'semantic pairs from a curated manifest (CSV/JSONL of class, image_a, image_b)',
  options: {
    manifest: { type: 'string', description: 'path of the manifest (CSV or JSONL)' },
    perClass: { ...perClassOption, description: 'pairs per class to train on, a seeded subset of each class’s rows (0 = all)' },
  },
  async create(dataset, options, { rng }) {
    const path = options.manifest as string | undefined;
    if (!path) throw new UserError('semantic-manifest needs a manifest file', 'pass --pair-options manifest=<path>');
    const rows = rowsPerClass(await readManifest(path), Number(options.perClass ?? 0), rng.derive('subset'), path);
    const base = dirname(resolve(path));

    const isIndex = (ref: string): boolean => /^\d+$/.test(ref);
    const refs = new Map<string, number>(); // image reference → position in the pair set's images
    const order: string[] = [];
    const missing: string[] = [];
    const outOfRange: ManifestRow[] = [];
    for (const row of rows) {
      for (const ref of [row.imageA, row.imageB]) {
        if (refs.has(ref)) continue;
        if (isIndex(ref)) {
          if (Number(ref) >= dataset.size) outOfRange.push(row);
        } else if (!existsSync(isAbsolute(ref) ? ref : resolve(base, ref))) {
          missing.push(ref);
        }
        refs.set(ref, order.length);
        order.push(ref);
      }
    }
    if (missing.length) {
      throw new UserError(
        `manifest ${path} names ${missing.length} image(s) that do not exist, first: ${missing.slice(0, 3).join(', ')}`,
        'fix the paths (they are relative to the manifest) or remove those rows',
      );
    }
    if (outOfRange.length) {
      throw new UserError(
        `manifest ${path}, line ${outOfRange[0]!.line}: image index out of range for dataset ${dataset.name} (size ${dataset.size})`,
        'use indexes below the dataset size, or file paths',
      );
    }

    const classNames = [...new Set(rows.map((r) => r.className))];
    const sameClasses = classNames.every((n) => dataset.classes.includes(n));
    const classes = sameClasses ? [...dataset.classes] : classNames.sort();
    const labelOf = new Map<string, number>();
    for (const row of rows) labelOf.set(row.imageA, classes.indexOf(row.className)).set(row.imageB, classes.indexOf(row.className));

    // Decode file images once up front: a curated set is small (the paper's is 29k pairs).
    const decoded = new Map<string, Uint8Array>();
    for (const ref of order) if (!isIndex(ref)) decoded.set(ref, await decodeImage(isAbsolute(ref) ? ref : resolve(base, ref), dataset.shape));

    const images: Dataset = {
      name: `${dataset.name}+manifest`,
      size: order.length,
      classes,
      shape: dataset.shape,
      async get(i: number): Promise<LabelledImage> {
        const ref = order[i]!;
        const file = decoded.get(ref);
        if (file) return { image: file, label: labelOf.get(ref)! };
        const item = await dataset.get(Number(ref));
        return { image: item.image, label: labelOf.get(ref)! };
      },
      labels: () => Int32Array.from(order, (ref) => labelOf.get(ref)!),
    };
    const pairs: Pair[] = rows.map((row, i) => ({ a: refs.get(row.imageA)!, b: refs.get(row.imageB)!, index: i }));
    return {
      images,
      size: pairs.length,
      pairs: () => pairs,
      describe: () => ({ source: 'semantic-manifest', manifest: resolve(path), pairs: pairs.length, images: order.length, classes: classNames.length }),
    };
  },
};

/**
 * `perClass` rows of every class of the manifest, from a seeded per-class permutation (nested as
 * perClass grows, like perClassSubset); all rows when perClass is 0. A short class is refused.
 */
function rowsPerClass(rows: ManifestRow[], perClass: number, rng: Rng, path: string): ManifestRow[] {
  if (perClass === 0) return rows;
  const byClass = new Map<string, ManifestRow[]>();
  for (const row of rows) byClass.set(row.className, [...(byClass.get(row.className) ?? []), row]);
  const kept: ManifestRow[] = [];
  for (const [className, group] of byClass) {
    if (group.length < perClass) {
      throw new UserError(`manifest ${path}: class '${className}' has ${group.length} pairs, fewer than perClass=${perClass}`, `lower perClass to at most ${Math.min(...[...byClass.values()].map((g) => g.length))}`);
    }
    const order = rng.derive('per-class', className).permutation(group.length);
    for (let k = 0; k < perClass; k++) kept.push(group[order[k]!]!);
  }
  return kept.sort((a, b) => a.line - b.line);
}

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { buildImageNetSubset, PAPER_CLASSES_FILE, readClassList, UserError } from '@sempair/core';
import { SempairCommand } from '../../base-command.js';

export default class DataBuildSubset extends SempairCommand<typeof DataBuildSubset> {
  static override summary = "Build the paper's ImageNet pre-training sets: semantic pairs and the matched augmented pairs, as manifests.";
  static override description = `Maps class names to WordNet ids through ImageNet's LOC_synset_mapping.txt (a name that matches several synsets, such as crane, is refused until --pick names the id), draws 2·per-class images of each class from the train directory by a seeded permutation, and writes:
  semantic-pairs.csv   per-class pairs of two different images of the class
  augmented-pairs.csv  the matched set: each pair's first image paired with itself
  subset.json          classes, ids, seed and the SHA-256 of both manifests
Train on them with --pairs semantic-manifest --pair-options manifest=<file>.`;

  static override examples = [
    {
      description: "The paper's classes, 157 pairs each (crane: the bird)",
      command: '<%= config.bin %> <%= command.id %> --imagenet /data/ILSVRC/Data/CLS-LOC/train --classes paper --per-class 157 --pick crane=n02012849 --out subsets/paper-157',
    },
    { description: 'Your own class list, 50 pairs each', command: '<%= config.bin %> <%= command.id %> --imagenet ./train --classes my-classes.txt --per-class 50 --out subsets/mine-50' },
  ];

  static override flags = {
    imagenet: Flags.string({ description: 'ImageNet train directory (<dir>/<wnid>/*.JPEG).', required: true }),
    mapping: Flags.string({ description: 'LOC_synset_mapping.txt [default: found beside or above the train directory].' }),
    classes: Flags.string({ description: "'paper' (the paper's class list) or a file with one class name per line.", default: 'paper' }),
    'per-class': Flags.integer({ min: 1, default: 157, description: 'Pairs per class (each uses two images).' }),
    pick: Flags.string({ description: 'WordNet id for an ambiguous name, as name=wnid (repeatable).', multiple: true }),
    seed: Flags.integer({ min: 0, default: 0, description: 'Seed of the image draw.' }),
    out: Flags.string({ description: 'Output directory for the manifests.', required: true }),
  };

  async run(): Promise<void> {
    const { flags } = this;
    const trainDir = resolve(flags.imagenet);
    const mappingFile = flags.mapping ?? findMapping(trainDir);
    const classNames = await readClassList(flags.classes === 'paper' ? PAPER_CLASSES_FILE : flags.classes);
    const picks = new Map(
      (flags.pick ?? []).map((p) => {
        const [name, wnid] = p.split('=').map((s) => s.trim());
        if (!name || !wnid) throw new UserError(`--pick ${p} is not name=wnid`, 'e.g. --pick crane=n02012849');
        return [name, wnid] as [string, string];
      }),
    );
    const result = await buildImageNetSubset({ trainDir, mappingFile, classNames, perClass: flags['per-class'], seed: flags.seed, outDir: resolve(flags.out), picks });
    this.emit({ type: 'subset', ...result });
    this.print(`${result.classes.length} classes, ${result.pairs} pairs (${flags['per-class']} per class)`);
    this.print(`  semantic pairs:  ${result.semantic}`);
    this.print(`  augmented pairs: ${result.augmented}`);
    this.print(`  summary:         ${result.summary}`);
    this.print(`Train: sempair pretrain --pairs semantic-manifest --pair-options manifest=${result.semantic}`);
  }
}

/** LOC_synset_mapping.txt sits at the top of the ImageNet LOC download, a few levels above train/. */
function findMapping(trainDir: string): string {
  let dir = trainDir;
  for (let up = 0; up < 5; up++) {
    const candidate = join(dir, 'LOC_synset_mapping.txt');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new UserError(`no LOC_synset_mapping.txt beside or above ${trainDir}`, 'pass --mapping <LOC_synset_mapping.txt>');
}

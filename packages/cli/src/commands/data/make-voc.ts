import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { UserError } from '@sempair/core';
import { OBJECT_COLOURS, parseClassList, VOC_CLASSES, writeSyntheticVoc, type ObjectColours } from '@sempair/eval-detection';
import { SempairCommand } from '../../base-command.js';
import { renderPairs } from '../../tables.js';

export default class DataMakeVoc extends SempairCommand<typeof DataMakeVoc> {
  static override summary = 'Write a small synthetic detection set in the PASCAL VOCdevkit layout (for tests and CPU-sized detection runs).';
  static override description = `Images of a few objects on textured backgrounds; a class is a shape, by default in a hue of its own, so a small Faster R-CNN learns it in minutes; --colours random paints every object in any hue, so only its shape tells its class (a set where a pre-trained backbone has something to give). Written exactly as VOC is: <out>/VOC2007/{JPEGImages/*.jpg, Annotations/*.xml, ImageSets/Main/{train,val,trainval,test}.txt and <class>_<split>.txt}, with difficult (small, faint) and truncated objects, plus <out>/classes.txt (the class list) and synthetic-voc.json (what was asked and drawn). The same options and seed write the same files.`;

  static override examples = [
    { description: '200 images of up to 96 px, four shape classes', command: '<%= config.bin %> <%= command.id %> --out data/synthetic-voc' },
    { description: 'Shape-only classes (random hues), 400 images: the set where pre-training matters', command: '<%= config.bin %> <%= command.id %> --out data/voc-shapes --colours random --images 400' },
    { description: "VOC's twenty class names, 1000 images of 128 px", command: '<%= config.bin %> <%= command.id %> --out data/voc20 --classes voc --images 1000 --size 128' },
  ];

  static override flags = {
    out: Flags.string({ description: 'Devkit root to create (new or empty folder).', required: true }),
    images: Flags.integer({ min: 2, default: 200, description: 'Number of images (split into trainval and test).' }),
    size: Flags.integer({ min: 32, max: 4096, default: 96, description: 'Longest image side; sides are drawn in [0.75·size, size].' }),
    seed: Flags.integer({ min: 0, default: 0, description: 'Seed of everything drawn.' }),
    classes: Flags.string({ description: "Comma-separated class names, or 'voc' for VOC's twenty [default: ring,cross,triangle,star]." }),
    year: Flags.string({ description: 'Devkit folder name.', default: 'VOC2007' }),
    'test-fraction': Flags.string({ description: 'Fraction of the images in the test split.', default: '0.5' }),
    'max-objects': Flags.integer({ min: 1, max: 20, default: 3, description: 'Objects per image, at most.' }),
    colours: Flags.string({ options: [...OBJECT_COLOURS], default: 'class', description: "Object colours: 'class' (a hue per class) or 'random' (any hue; the shape alone tells the class)." }),
    'difficult-rate': Flags.string({ description: 'Chance an object is small, faint and marked difficult.', default: '0.1' }),
  };

  async run(): Promise<void> {
    const { flags } = this;
    const classes = flags.classes === undefined ? undefined : flags.classes === 'voc' ? [...VOC_CLASSES] : parseClassList(flags.classes.split(','), '--classes');
    const summary = await writeSyntheticVoc({
      out: resolve(flags.out),
      images: flags.images,
      size: flags.size,
      seed: flags.seed,
      classes,
      year: flags.year,
      testFraction: fraction(flags['test-fraction'], '--test-fraction'),
      maxObjects: flags['max-objects'],
      difficultRate: fraction(flags['difficult-rate'], '--difficult-rate'),
      colours: flags.colours as ObjectColours,
    });
    this.emit({ type: 'synthetic-voc', ...summary });
    this.print(renderPairs([
      ['devkit root', summary.root],
      ['images', Object.entries(summary.splits).map(([s, n]) => `${s} ${n}`).join(', ')],
      ['objects', `${summary.objects} (${summary.difficult} difficult, ${summary.truncated} truncated)`],
      ['colours', flags.colours === 'random' ? 'random hues (shape alone tells the class)' : 'a hue per class'],
      ['classes', summary.classes.map((c, k) => (c === summary.shapes[k] ? c : `${c} (${summary.shapes[k]})`)).join(', ')],
    ]));
  }
}

function fraction(text: string, flag: string): number {
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new UserError(`${flag} ${text} is not a number`, `pass ${flag} as a fraction such as 0.5`);
  return value;
}

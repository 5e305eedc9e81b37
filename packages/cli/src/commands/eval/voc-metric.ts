import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { UserError } from '@sempair/core';
import { evaluateVoc, parseClassList, readVocGroundTruth, readVocResultsDir, usesVoc07Metric, vocClassList, vocResultsFileName, type VocMetricResult } from '@sempair/eval-detection';
import { SempairCommand } from '../../base-command.js';
import { renderPairs, renderTable, showMetric } from '../../tables.js';

export default class EvalVocMetric extends SempairCommand<typeof EvalVocMetric> {
  static override summary = "Score detections in the VOC devkit results format with detectron2's PASCAL VOC metric (AP, AP50, AP75).";
  static override description = `Reads one results file per class, <comp>_det_<split>_<class>.txt, lines "image_id score xmin ymin xmax ymax" (the box as detectron2 writes it: the model's 0-based box with xmin and ymin plus 1), and the ground truth of the devkit's image set, and computes detectron2's PascalVOCDetectionEvaluator: for each class and IoU threshold 0.50, 0.55, …, 0.95 the VOC AP (the 11-point AP for VOC2007, the area under the precision envelope for other years), AP50 and AP75 as means over the classes, AP as the mean over the thresholds, ×100. Integer 1-based inclusive boxes with +1 widths, IoU > threshold strictly, only the highest-IoU object counts, difficult objects are ignored, duplicates are false positives.
A class without a results file counts as having no detections, and the output says so.`;

  static override examples = [
    { description: 'VOC2007 test, results files in ./results', command: '<%= config.bin %> <%= command.id %> --gt ~/data/VOCdevkit --year 2007 --split test --detections ./results' },
    { description: 'Three classes only (the summary is their mean), as JSON', command: '<%= config.bin %> <%= command.id %> --gt ~/data/VOCdevkit --detections ./results --classes dog,cat,person --json' },
  ];

  static override flags = {
    gt: Flags.string({ description: 'VOCdevkit root (the folder holding VOC2007/).', required: true }),
    year: Flags.string({ description: 'Devkit year: 2007, 2012 or a folder name under the root.', default: '2007' }),
    split: Flags.string({ description: 'Image set under ImageSets/Main.', default: 'test' }),
    detections: Flags.string({ description: 'Folder of the results files.', required: true }),
    classes: Flags.string({ description: "Comma-separated classes to evaluate [default: the root's classes.txt, else VOC's 20]." }),
    comp: Flags.string({ description: 'Results file prefix (VOC competition id).', default: 'comp4' }),
    metric: Flags.string({ description: "AP kind [default: 11-point for 2007, area otherwise, as detectron2].", options: ['11-point', 'area'] }),
  };

  async run(): Promise<void> {
    const { flags } = this;
    const root = resolve(flags.gt);
    const dir = resolve(flags.detections);
    const year = /^\d{4}$/.test(flags.year) ? `VOC${flags.year}` : flags.year;
    const { classes, source } = flags.classes !== undefined
      ? { classes: parseClassList(flags.classes.split(','), '--classes'), source: '--classes' }
      : await vocClassList(root);
    const images = await readVocGroundTruth(root, { year, split: flags.split });
    const results = await readVocResultsDir(dir, classes, flags.split, flags.comp);
    if (results.missing.length === classes.length) {
      throw new UserError(
        `${dir} holds none of the ${classes.length} results files (e.g. ${vocResultsFileName(classes[0]!, flags.split, flags.comp)})`,
        'pass the folder of the results files, and --split/--comp as their names have them',
      );
    }
    const use07Metric = flags.metric ? flags.metric === '11-point' : usesVoc07Metric(year);
    const result = evaluateVoc({ images, classes, detections: results.detections, use07Metric });
    this.emit({ type: 'voc-metric', gt: root, year, split: flags.split, detections: dir, classSource: source, images: images.length, missing: results.missing, ...result });
    this.show(result, { year, split: flags.split, images: images.length, source, missing: results.missing });
  }

  private show(result: VocMetricResult, about: { year: string; split: string; images: number; source: string; missing: string[] }): void {
    if (!this.quietMode) {
      this.print(renderTable(
        ['class', 'objects', 'detections', 'AP', 'AP50', 'AP75'],
        result.perClass.map((c) => [c.cls, c.positives, c.detections, showMetric('AP', c.AP), showMetric('AP', c.AP50), showMetric('AP', c.AP75)]),
      ));
    }
    this.print(renderPairs([
      ['AP', showMetric('AP', result.AP)],
      ['AP50', showMetric('AP', result.AP50)],
      ['AP75', showMetric('AP', result.AP75)],
      ['metric', `${result.metric === '11-point' ? 'VOC2007 11-point' : 'area under the precision envelope'}, IoU 0.50:0.95:0.05, mean over ${result.perClass.length} classes`],
      ['ground truth', `${about.year} ${about.split}, ${about.images} images`],
      ['classes', about.source],
    ]));
    // Never a silent skip: classes without a file are named, and so is where a NaN comes from.
    if (about.missing.length > 0) this.print(`No results file for ${about.missing.length} class(es), counted as no detections: ${about.missing.join(', ')}`);
    const empty = result.perClass.filter((c) => c.positives === 0).map((c) => c.cls);
    if (empty.length > 0) {
      this.print(`No non-difficult object of ${empty.join(', ')} in ${about.year} ${about.split}: recall is 0/0 there${result.metric === 'area' ? ' (AP NaN with any detection, as in detectron2)' : ' (AP 0)'}`);
    }
  }
}

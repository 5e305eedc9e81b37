import type { EvalResult } from '@sempair/core';
import { detectionEvaluator } from '@sempair/eval-detection';
import { EvalCommand, evalFlags, evaluatorFlags } from '../../eval/eval-command.js';
import { renderTable, showMetric } from '../../tables.js';

interface ClassRow {
  cls: string;
  AP: number;
  AP50: number;
  AP75: number;
  positives: number;
  detections: number;
}

export default class EvalDetection extends EvalCommand {
  static override evaluatorId = 'detection';
  static override summary = 'Fine-tune the backbone as Faster R-CNN R-C4 on PASCAL VOC; report AP, AP50, AP75 and per-class AP (detectron2 VOC metric).';
  static override description =
    "The run's ResNet becomes the backbone of a Faster R-CNN (res2–res4 shared, res5 as the box head with an extra batch norm, as MoCo's detectron2 recipe). It is trained on the training image sets and scored on the test set exactly as detectron2's PascalVOCDetectionEvaluator does. --preset moco is MoCo's VOC recipe (24k iterations, batch 16: a GPU job); --preset cpu trains in minutes on one CPU core on the synthetic set of `sempair data make-voc`. Every setting of a preset can be overridden by its flag. The checkpoint on disk is never changed; results go to <run>/eval/detection.json (detection-random.json for --random-init).";
  static override examples = [
    { description: 'The CPU preset on a synthetic VOC set', command: '<%= config.bin %> <%= command.id %> --checkpoint runs/simclr-semantic-labels-20250101-120000 --voc data/synthetic-voc --preset cpu' },
    { description: 'The same detector from random initialisation, for comparison', command: '<%= config.bin %> <%= command.id %> --checkpoint runs/simclr-semantic-labels-20250101-120000 --voc data/synthetic-voc --preset cpu --random-init' },
    { description: "MoCo's recipe on VOC07+12 (the paper's Table 3)", command: '<%= config.bin %> <%= command.id %> --checkpoint runs/simclr-r50 --voc ~/data/VOCdevkit --preset moco' },
  ];
  static override flags = { ...evalFlags, ...evaluatorFlags(detectionEvaluator) };

  protected override detailTable(result: EvalResult): string | undefined {
    const rows = result.details?.perClass as ClassRow[] | undefined;
    if (!rows) return undefined;
    return renderTable(
      ['class', 'objects', 'detections', 'AP', 'AP50', 'AP75'],
      rows.map((c) => [c.cls, c.positives, c.detections, showMetric('AP', c.AP), showMetric('AP', c.AP50), showMetric('AP', c.AP75)]),
    );
  }
}

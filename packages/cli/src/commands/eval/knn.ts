import { EvalCommand, evalFlags, evaluatorFlags } from '../../eval/eval-command.js';

export default class EvalKnn extends EvalCommand {
  static override evaluatorId = 'knn';
  static override summary = 'Weighted kNN classifier on frozen features; report top-1 and top-5 accuracy.';
  static override examples = [
    { description: 'kNN on a run, 20 neighbours', command: '<%= config.bin %> <%= command.id %> runs/simclr-semantic-labels-20250101-120000 --k 20' },
  ];
  static override flags = { ...evalFlags, ...evaluatorFlags('knn') };
}

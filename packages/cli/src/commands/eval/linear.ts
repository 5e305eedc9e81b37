import { EvalCommand, evalFlags, evaluatorFlags } from '../../eval/eval-command.js';

export default class EvalLinear extends EvalCommand {
  static override evaluatorId = 'linear';
  static override summary = 'Linear probe: train a linear classifier on frozen features; report top-1 and top-5 accuracy.';
  static override examples = [
    { description: 'Probe a run on the shifted downstream set', command: '<%= config.bin %> <%= command.id %> runs/simclr-semantic-labels-20250101-120000 --dataset synthetic-shifted' },
    { description: 'Random-init baseline of the same architecture', command: '<%= config.bin %> <%= command.id %> --random-init --backbone resnet18 --backbone-options width=16' },
  ];
  static override flags = { ...evalFlags, ...evaluatorFlags('linear') };
}

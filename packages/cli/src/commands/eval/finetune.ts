import { EvalCommand, evalFlags, evaluatorFlags } from '../../eval/eval-command.js';

export default class EvalFinetune extends EvalCommand {
  static override evaluatorId = 'finetune';
  static override summary = 'Fine-tune the whole backbone with a linear head on the downstream train split; report top-1 and top-5 accuracy.';
  static override description =
    'The checkpoint on disk is never changed: the backbone is trained in memory and thrown away. Each step feeds augmented images (random resized crop, flip) through the backbone, so this is much slower than the linear probe.';
  static override examples = [
    { description: 'Fine-tune a run on the shifted downstream set for 10 epochs (AdamW, lr 1e-3)', command: '<%= config.bin %> <%= command.id %> runs/simclr-semantic-labels-20250101-120000' },
    { description: 'SGD with a milder crop and label smoothing', command: '<%= config.bin %> <%= command.id %> runs/simclr-semantic-labels-20250101-120000 --optimizer sgd --lr 0.03 --weight-decay 5e-4 --min-crop-scale 0.5 --label-smoothing 0.1' },
    { description: 'Random-init baseline of the same architecture (supervised training from scratch)', command: '<%= config.bin %> <%= command.id %> --random-init --backbone resnet18 --backbone-options width=16' },
  ];
  static override flags = { ...evalFlags, ...evaluatorFlags('finetune') };
}

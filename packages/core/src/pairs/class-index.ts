import { UserError } from '../errors.js';

/** Image indexes grouped by class label. Unlabelled images (label < 0) are refused. */
export function groupByClass(labels: Int32Array, numClasses: number, datasetName: string): number[][] {
  const groups: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label < 0 || label >= numClasses) {
      throw new UserError(
        `dataset ${datasetName}: image ${i} has label ${label}, outside 0..${numClasses - 1}`,
        'semantic pairs need class labels; use --pairs augmented for unlabelled data',
      );
    }
    groups[label]!.push(i);
  }
  return groups;
}

import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '@sempair/core';

/**
 * Backbone features of several views, stacked view by view ([V·B, F]). Consecutive views of the
 * same size go through one forward pass together, as DINO's MultiCropWrapper does: the two
 * global views form one batch and the local crops another, so batch-norm statistics are those
 * of the reference.
 */
export function multiCropFeatures(backbone: Backbone, views: readonly tf.Tensor4D[], training: boolean): tf.Tensor2D {
  return tf.tidy(() => {
    const groups: tf.Tensor4D[][] = [];
    for (const view of views) {
      const last = groups[groups.length - 1];
      if (last && last[0]!.shape[1] === view.shape[1] && last[0]!.shape[2] === view.shape[2]) last.push(view);
      else groups.push([view]);
    }
    const features = groups.map((group) => backbone.apply(group.length === 1 ? group[0]! : tf.concat(group, 0), training));
    return features.length === 1 ? features[0]! : tf.concat(features, 0);
  });
}

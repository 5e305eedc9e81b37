import * as tf from '@tensorflow/tfjs-core';

/**
 * RoIAlign (He et al., Mask R-CNN) with torchvision's semantics, which detectron2's ROIAlignV2
 * is (`aligned = true`: box corners are shifted by half a pixel so that a box [0, 0, W, H] covers
 * pixel centres exactly). Each output bin averages bilinear samples on a regular grid inside the
 * bin; with `samplingRatio` 0 the grid is adaptive, ceil(roi size / output size) per side.
 *
 * The op is linear in the features and its coefficients depend only on the boxes (which get no
 * gradient: proposals are detached, as in detectron2). Bilinear interpolation and the boundary
 * rules are separable in y and x, so the coefficients are built in JS per box as a product of a
 * row table and a column table, merged into one (feature index, weight) list per output bin and
 * padded to the longest list. The forward pass is then a few gatherNDs weighted and summed, the
 * backward pass the matching scatterNDs (which add up repeated indexes) — kernels every backend
 * has, so the op runs on wasm as on a GPU. (tf.gather is avoided: on wasm it is ~20× slower than
 * gatherND, and its gradient needs UnsortedSegmentSum, which wasm lacks.)
 */
export interface RoiAlignOptions {
  /** Output bins per side (detectron2 POOLER_RESOLUTION, 14 for C4). */
  outputSize: number;
  /** Feature pixels per image pixel (1/16 for a stride-16 map). */
  spatialScale: number;
  /** Samples per bin side; 0 = adaptive ceil(roi / outputSize) (detectron2's default). */
  samplingRatio: number;
  /** Half-pixel shift of the box (ROIAlignV2); false is the original ROIAlign. */
  aligned: boolean;
}

/** The coefficients of one RoIAlign call: `slots` (feature index, weight) pairs per output bin. */
export interface RoiAlignPlan {
  rois: number;
  outputSize: number;
  /** Feature map shape [N, H, W] the indexes refer to (index = (n·H + y)·W + x). */
  featureShape: readonly [number, number, number];
  slots: number;
  /** [slots][rois · outputSize²] feature indexes and weights (weight 0 pads). */
  indexes: Int32Array[];
  weights: Float32Array[];
}

/** One bin side's sample weights per feature row (or column): pairs (position, weight). */
type AxisWeights = Array<Array<[number, number]>>;

/**
 * Weights along one axis for every bin: the grid samples of bin b at
 * start + b·bin + (i + 0.5)·bin/grid, interpolated linearly between the two neighbouring
 * positions, with torchvision's rules (outside [−1, size] a sample contributes nothing; below
 * 0 it is clamped to 0; at or past the last position it sticks to it). Each sample carries
 * 1/grid, so the product of the two axes is the 1/count average.
 */
function axisWeights(start: number, length: number, bins: number, grid: number, size: number): AxisWeights {
  const bin = length / bins;
  const out: AxisWeights = [];
  for (let b = 0; b < bins; b++) {
    const acc = new Map<number, number>();
    for (let i = 0; i < grid; i++) {
      let v = start + b * bin + ((i + 0.5) * bin) / grid;
      if (v < -1 || v > size) continue;
      if (v <= 0) v = 0;
      let low = Math.floor(v);
      let high: number;
      if (low >= size - 1) {
        high = low = size - 1;
        v = low;
      } else high = low + 1;
      const l = v - low;
      acc.set(low, (acc.get(low) ?? 0) + (1 - l) / grid);
      acc.set(high, (acc.get(high) ?? 0) + l / grid);
    }
    out.push([...acc.entries()].filter(([, w]) => w !== 0));
  }
  return out;
}

/**
 * Plans RoIAlign of `boxes` (n×4 image coordinates [x1, y1, x2, y2]) on a feature map
 * [N, H, W, ·]; box r is read from image `batchIndex[r]`.
 */
export function planRoiAlign(
  boxes: ArrayLike<number>,
  batchIndex: ArrayLike<number>,
  featureShape: readonly [number, number, number],
  options: RoiAlignOptions,
): RoiAlignPlan {
  const [, height, width] = featureShape;
  const { outputSize: p, spatialScale, samplingRatio, aligned } = options;
  const rois = batchIndex.length;
  const offset = aligned ? 0.5 : 0;
  const bins: Array<Array<[number, number]>> = [];
  let slots = 1;
  for (let r = 0; r < rois; r++) {
    const x1 = boxes[4 * r]! * spatialScale - offset;
    const y1 = boxes[4 * r + 1]! * spatialScale - offset;
    let roiW = boxes[4 * r + 2]! * spatialScale - offset - x1;
    let roiH = boxes[4 * r + 3]! * spatialScale - offset - y1;
    if (!aligned) {
      roiW = Math.max(roiW, 1);
      roiH = Math.max(roiH, 1);
    }
    const gridH = samplingRatio > 0 ? samplingRatio : Math.ceil(roiH / p);
    const gridW = samplingRatio > 0 ? samplingRatio : Math.ceil(roiW / p);
    const rows = gridH > 0 ? axisWeights(y1, roiH, p, gridH, height) : Array.from({ length: p }, () => []);
    const cols = gridW > 0 ? axisWeights(x1, roiW, p, gridW, width) : Array.from({ length: p }, () => []);
    const base = batchIndex[r]! * height;
    for (let ph = 0; ph < p; ph++) {
      for (let pw = 0; pw < p; pw++) {
        const entries: Array<[number, number]> = [];
        for (const [y, wy] of rows[ph]!) for (const [x, wx] of cols[pw]!) entries.push([(base + y) * width + x, wy * wx]);
        slots = Math.max(slots, entries.length);
        bins.push(entries);
      }
    }
  }
  const indexes = Array.from({ length: slots }, () => new Int32Array(bins.length));
  const weights = Array.from({ length: slots }, () => new Float32Array(bins.length));
  bins.forEach((entries, row) => {
    entries.forEach(([index, weight], k) => {
      indexes[k]![row] = index;
      weights[k]![row] = weight;
    });
  });
  return { rois, outputSize: p, featureShape, slots, indexes, weights };
}

/** RoIAlign of `features` [N, H, W, C] by a plan: [rois, outputSize, outputSize, C]. */
export function roiAlign(features: tf.Tensor4D, plan: RoiAlignPlan): tf.Tensor4D {
  const [n, h, w, c] = features.shape;
  const [pn, ph, pw] = plan.featureShape;
  if (n !== pn || h !== ph || w !== pw) {
    throw new Error(`roiAlign: the plan is for features [${plan.featureShape.join(', ')}, ·], got [${features.shape.join(', ')}]`);
  }
  const p = plan.outputSize;
  const rows = plan.rois * p * p;
  if (rows === 0) return tf.zeros([0, p, p, c]);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const indexes = plan.indexes.map((ix) => tf.tensor2d(ix, [rows, 1], 'int32'));
    const weights = plan.weights.map((wt) => tf.tensor2d(wt, [rows, 1], 'float32'));
    save([...indexes, ...weights]);
    const flat = x.reshape([n * h * w, c]);
    let out: tf.Tensor = tf.mul(tf.gatherND(flat, indexes[0]!), weights[0]!);
    for (let k = 1; k < plan.slots; k++) out = tf.add(out, tf.mul(tf.gatherND(flat, indexes[k]!), weights[k]!));
    return {
      value: out.reshape([plan.rois, p, p, c]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const dyFlat = dy.reshape([rows, c]);
        const k = plan.slots;
        let grad: tf.Tensor = tf.scatterND(saved[0]!, tf.mul(dyFlat, saved[k]!), [n * h * w, c]);
        for (let s = 1; s < k; s++) grad = tf.add(grad, tf.scatterND(saved[s]!, tf.mul(dyFlat, saved[k + s]!), [n * h * w, c]));
        return grad.reshape([n, h, w, c]);
      },
    };
  });
  return (op as (x: tf.Tensor) => tf.Tensor)(features) as tf.Tensor4D;
}

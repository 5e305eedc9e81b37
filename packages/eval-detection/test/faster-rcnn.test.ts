// Faster R-CNN C4 on a width-4 ResNet-18 (CIFAR stem, stride 4) with 48×40 images on wasm:
// the losses start where detectron2's normalisers put them, every parameter gets a gradient,
// training on a repeated batch lowers the loss without leaking tensors, and inference returns
// detectron2-shaped detections.
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, ParameterSet, resnet18Definition, resnet50Definition, ResNet, Rng } from '@sempair/core';
import { FasterRcnn, LOSS_NAMES, trunkStride, type DetectorConfig } from '../src/model/faster-rcnn.js';
import { stackImages, type PreparedImage } from '../src/train/image-transforms.js';
import { trainDetector } from '../src/train/train-detector.js';
import { preciseBn } from '../src/train/precise-bn.js';

test.before(async () => {
  await initBackend('wasm');
});

const CONFIG: DetectorConfig = {
  rpn: {
    anchorSizes: [8, 16], aspectRatios: [0.5, 1, 2], iouThresholds: [0.3, 0.7], batchSizePerImage: 32, positiveFraction: 0.5,
    preNmsTopKTrain: 200, postNmsTopKTrain: 40, preNmsTopKTest: 100, postNmsTopKTest: 20, nmsThreshold: 0.7, smoothL1Beta: 0,
  },
  roi: {
    classes: 3, batchSizePerImage: 16, positiveFraction: 0.25, iouThreshold: 0.5, appendGroundTruth: true, poolerResolution: 4,
    poolerSamplingRatio: 2, smoothL1Beta: 0, scoreThreshold: 0.05, nmsThreshold: 0.5, detectionsPerImage: 5,
  },
};

function build(seed = 0): { model: FasterRcnn; params: ParameterSet } {
  const params = new ParameterSet();
  const backbone = resnet18Definition.build({ width: 4, cifarStem: true }, { rng: new Rng(seed), params: params.scope('backbone'), inputShape: [32, 32, 3] }) as ResNet;
  return { model: new FasterRcnn(backbone, CONFIG, new Rng(seed + 1)), params };
}

/** Two images: bright squares of class 0 and 2 on noise, already normalised. */
function batch(): PreparedImage[] {
  const rng = new Rng(9);
  const image = (boxes: number[], classes: number[]): PreparedImage => {
    const [h, w] = [40, 48];
    const pixels = Float32Array.from({ length: h * w * 3 }, () => rng.normal(0, 0.3));
    for (let k = 0; k < classes.length; k++) {
      const [x1, y1, x2, y2] = boxes.slice(4 * k, 4 * k + 4) as [number, number, number, number];
      for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) pixels[(y * w + x) * 3 + classes[k]!] = 2;
    }
    return { pixels, height: h, width: w, boxes: Float64Array.from(boxes), classes: Int32Array.from(classes), sourceHeight: h, sourceWidth: w };
  };
  return [image([4, 6, 20, 22], [0]), image([20, 10, 34, 30, 2, 2, 12, 10], [2, 1])];
}

test.serial('C4 stride and the initial losses: log(K+1) for the classifier, ln 2 per sampled anchor / (256·N)', (t) => {
  const { model, params } = build();
  try {
    t.is(model.stride, 4);
    t.is(trunkStride(model.backbone), 4);
    const images = batch();
    const { tensor, sizes } = stackImages(images);
    const out = tf.tidy(() => {
      const o = model.losses(tensor, { sizes, boxes: images.map((b) => b.boxes), classes: images.map((b) => b.classes) }, new Rng(3));
      return { values: LOSS_NAMES.map((n) => o.losses[n].dataSync()[0]!), stats: o.stats };
    });
    tensor.dispose();
    const [rpnCls, rpnLoc, cls, box] = out.values as [number, number, number, number];
    // Heads start at N(0, 0.01²) weights and zero biases: logits ≈ 0.
    t.true(Math.abs(cls - Math.log(4)) < 0.01, `loss_cls ${cls}`);
    const sampled = out.stats.rpnPositives + out.stats.rpnNegatives;
    t.is(sampled, 64, 'both images fill their 32 anchors');
    t.true(Math.abs(rpnCls - (sampled * Math.LN2) / (32 * 2)) < 0.01, `loss_rpn_cls ${rpnCls}`);
    t.true(out.stats.rpnPositives >= 3, 'every object has a positive anchor (low-quality matches)');
    t.true(out.stats.roiForeground >= 3 && out.stats.roiForeground <= 8, `foreground ${out.stats.roiForeground}`);
    t.true(rpnLoc > 0 && box > 0 && Number.isFinite(rpnLoc + box));
  } finally {
    model.dispose();
    params.dispose();
  }
});

test.serial('every parameter of backbone and heads gets a gradient (nothing frozen), buffers none', (t) => {
  const { model, params } = build();
  try {
    const images = batch();
    const { tensor, sizes } = stackImages(images);
    const trainable = model.trainable();
    const { value, grads } = tf.variableGrads(() => {
      const o = model.losses(tensor, { sizes, boxes: images.map((b) => b.boxes), classes: images.map((b) => b.classes) }, new Rng(3));
      return tf.addN(Object.values(o.losses)) as tf.Scalar;
    }, trainable.map((p) => p.variable));
    tensor.dispose();
    const missing = trainable.filter((p) => !grads[p.variable.name]).map((p) => p.name);
    t.deepEqual(missing, []);
    for (const name of ['backbone.conv1.weight', 'backbone.layer3.1.conv2.weight', 'backbone.layer4.1.bn2.weight', 'detector.rpn.conv.weight', 'detector.roi_heads.res5_norm.weight', 'detector.roi_heads.box_predictor.bbox_pred.weight']) {
      const p = trainable.find((q) => q.name === name);
      t.truthy(p, name);
      const norm = tf.tidy(() => tf.norm(grads[p!.variable.name]!).dataSync()[0]!);
      t.true(norm > 0 && Number.isFinite(norm), `${name}: |grad| ${norm}`);
    }
    t.false(trainable.some((p) => p.role === 'buffer'));
    tf.dispose([value, ...Object.values(grads)]);
  } finally {
    model.dispose();
    params.dispose();
  }
});

test.serial('training on a repeated batch lowers the loss, and tf.memory().numTensors stays flat', async (t) => {
  const before = tf.memory().numTensors;
  const { model, params } = build();
  try {
    const images = batch();
    const result = await trainDetector(model, async () => images, {
      solver: { iterations: 12, baseLr: 0.02, steps: [], gamma: 0.1, warmupIterations: 2, warmupFactor: 0.1, momentum: 0.9, weightDecay: 1e-4 },
      batchSize: 2,
      rng: new Rng(5),
      logEvery: 4,
    });
    t.is(result.tensorCounts.length, 12);
    t.true(result.tensorCounts.every((n) => n === result.tensorCounts[0]), `numTensors per iteration: ${result.tensorCounts.join(' ')}`);
    t.is(result.log.length, 3);
    const first = result.log[0]!.loss;
    const last = result.log[2]!.loss;
    t.true(last < 0.8 * first, `mean loss ${first} → ${last}`);
    t.deepEqual(Object.keys(result.finalLosses).sort(), [...LOSS_NAMES, 'loss'].sort());
  } finally {
    model.dispose();
    params.dispose();
  }
  t.is(tf.memory().numTensors, before, 'the model and optimiser leave nothing behind');
});

test.serial('inference: at most detectionsPerImage per image, by score, above the threshold, inside the image', (t) => {
  const { model, params } = build();
  try {
    const images = batch();
    const { tensor, sizes } = stackImages(images);
    const before = tf.memory().numTensors;
    const detections = model.predict(tensor, sizes);
    t.is(tf.memory().numTensors, before, 'predict leaves nothing behind');
    tensor.dispose();
    t.is(detections.length, 2);
    for (const [i, list] of detections.entries()) {
      t.true(list.length <= 5);
      for (const [k, d] of list.entries()) {
        t.true(d.score > 0.05 && d.score <= 1);
        if (k > 0) t.true(d.score <= list[k - 1]!.score);
        t.true(d.classIndex >= 0 && d.classIndex < 3);
        const [x1, y1, x2, y2] = d.box;
        t.true(x1 >= 0 && y1 >= 0 && x2 <= sizes[i]!.width && y2 <= sizes[i]!.height);
      }
    }
    // An untrained classifier is uniform over 4 outputs: every class scores ≈ 0.25 > 0.05.
    t.true(detections.every((d) => d.length > 0));
  } finally {
    model.dispose();
    params.dispose();
  }
});

test.serial('fast_rcnn_inference: softmax, class-specific boxes clipped, score > 0.05, NMS per class, by score', (t) => {
  const { model, params } = build();
  try {
    const logits = Float32Array.from([0, 5, 0, 0, 0, 4, 3, 0, 0, 0, 0, 6]);
    const deltas = new Float32Array(3 * 3 * 4);
    // Row 1, class 2: shift right by 0.1·width/10 → +0.1 px (weights 10, 10, 5, 5).
    deltas[(1 * 3 + 2) * 4] = 0.1;
    const proposals = Float64Array.from([0, 0, 10, 10, 1, 0, 11, 10, 20, 20, 30, 30]);
    const out = model.roiHeads.inference(logits, deltas, proposals, { height: 25, width: 28 });
    const softmax = (row: number[], c: number) => Math.exp(row[c]!) / row.reduce((s, v) => s + Math.exp(v), 0);
    t.is(out.length, 2, 'row 1 class 1 is suppressed by row 0 class 1 (IoU 0.82); row 2 is background');
    t.like(out[0], { classIndex: 1 });
    t.true(Math.abs(out[0]!.score - softmax([0, 5, 0, 0], 1)) < 1e-6);
    t.like(out[1], { classIndex: 2 });
    t.true(Math.abs(out[1]!.score - softmax([0, 4, 3, 0], 2)) < 1e-6);
    t.deepEqual(out[0]!.box, [0, 0, 10, 10]);
    t.true(Math.abs(out[1]!.box[0] - 1.1) < 1e-6 && Math.abs(out[1]!.box[2] - 11.1) < 1e-6);
  } finally {
    model.dispose();
    params.dispose();
  }
});

test.serial("ResNet-50 with the ImageNet stem (the paper's R50-C4): stride 16, res4 1024·w/64 channels into the RPN, a training step", (t) => {
  const params = new ParameterSet();
  const backbone = resnet50Definition.build({ width: 4, cifarStem: false }, { rng: new Rng(0), params: params.scope('backbone'), inputShape: [64, 64, 3] }) as ResNet;
  const model = new FasterRcnn(backbone, { ...CONFIG, rpn: { ...CONFIG.rpn, anchorSizes: [16, 32] } }, new Rng(1));
  try {
    t.is(model.stride, 16);
    t.is(backbone.stageChannels.layer3, 64);
    t.is(backbone.stageChannels.layer4, 128);
    const pixels = Float32Array.from({ length: 64 * 80 * 3 }, (_, i) => Math.sin(i));
    const image: PreparedImage = { pixels, height: 64, width: 80, boxes: Float64Array.from([8, 8, 40, 48]), classes: Int32Array.from([1]), sourceHeight: 64, sourceWidth: 80 };
    const { tensor, sizes } = stackImages([image, image]);
    const { value, grads } = tf.variableGrads(() => {
      const o = model.losses(tensor, { sizes, boxes: [image.boxes, image.boxes], classes: [image.classes, image.classes] }, new Rng(2));
      return tf.addN(Object.values(o.losses)) as tf.Scalar;
    }, model.trainable().map((p) => p.variable));
    tensor.dispose();
    t.true(Number.isFinite(value.dataSync()[0]!));
    t.is(Object.keys(grads).length, model.trainable().length);
    tf.dispose([value, ...Object.values(grads)]);
  } finally {
    model.dispose();
    params.dispose();
  }
});

test.serial("PreciseBN recomputes every batch norm's statistics (trunk, res5, extra norm) and changes nothing else", async (t) => {
  const { model, params } = build();
  try {
    const buffers = [...model.backbone.params.list(), ...model.params.list()].filter((p) => p.role === 'buffer');
    const norms = buffers.filter((p) => p.name.endsWith('.running_mean')).map((p) => p.name);
    t.true(norms.includes('detector.roi_heads.res5_norm.running_mean') && norms.includes('backbone.layer4.1.bn2.running_mean'));
    const trainable = model.trainable().map((p) => ({ name: p.name, values: Array.from(p.variable.dataSync()) }));
    const start = new Map(buffers.map((p) => [p.name, Array.from(p.variable.dataSync())]));
    const tensors = tf.memory().numTensors;
    const result = await preciseBn(model, async () => batch(), 3, new Rng(5));
    t.is(tf.memory().numTensors, tensors, 'no tensor left behind');
    t.is(result.iterations, 3);
    t.is(result.layers, norms.length, 'every batch norm of the detector ran');
    for (const p of buffers) t.notDeepEqual(Array.from(p.variable.dataSync()), start.get(p.name), `${p.name} recomputed`);
    for (const p of model.trainable()) t.deepEqual(Array.from(p.variable.dataSync()), trainable.find((q) => q.name === p.name)!.values, `${p.name} unchanged`);
    // The same images each time: the trunk's statistics are those of that batch, whatever the count.
    const once = build();
    try {
      await preciseBn(once.model, async () => batch(), 1, new Rng(5));
      const stem = (m: FasterRcnn) => Array.from(m.backbone.params.list().find((p) => p.name === 'backbone.bn1.running_var')!.variable.dataSync());
      const a = stem(model);
      const b = stem(once.model);
      t.true(a.every((v, i) => Math.abs(v - b[i]!) <= 1e-5 * (1 + Math.abs(b[i]!))), 'stem statistics independent of the repeat count');
    } finally {
      once.model.dispose();
      once.params.dispose();
    }
  } finally {
    model.dispose();
    params.dispose();
  }
});

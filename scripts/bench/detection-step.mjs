// One Faster R-CNN C4 training iteration (the detection evaluator's cpu preset) on random
// images with a few boxes, then inference: the cost of `sempair eval detection --preset cpu`.
import { intFlag } from './args.mjs';
import { tf } from './tf.mjs';

export const description =
  'Faster R-CNN C4 (cpu preset: RPN 16/32/64 anchors, 32 ROIs per image, 7×7 RoIAlign) on a ResNet-18, one training iteration and one test pass';

export async function detectionStep(core, flags) {
  const detection = await import(new URL('../../packages/eval-detection/dist/index.js', import.meta.url).href);
  const width = intFlag(flags, 'width', 8);
  const batch = intFlag(flags, 'batch', 4);
  const size = intFlag(flags, 'size', 80);
  const steps = intFlag(flags, 'steps', 5);
  const warmup = intFlag(flags, 'warmup', 2);
  const classes = 4;
  const rng = new core.Rng(0);
  const params = new core.ParameterSet();
  const backbone = core.resnet18Definition.build({ width, cifarStem: true, zeroInitResidual: false }, { rng, params: params.scope('backbone'), inputShape: [32, 32, 3] });
  const settings = detection.detectionSettings(core.resolveOptions(detection.detectionEvaluator.options, { voc: '-', preset: 'cpu' }, 'bench'));
  const model = new detection.FasterRcnn(backbone, { ...settings.detector, roi: { ...settings.detector.roi, classes } }, rng.derive('detector'));
  const optimizer = detection.detectionSgd(model.trainable(), settings.solver);
  const variables = model.trainable().map((p) => p.variable);

  const height = size;
  const widthPx = Math.round(size * 1.15);
  const images = tf.randomNormal([batch, height, widthPx, 3]);
  const targets = {
    sizes: Array.from({ length: batch }, () => ({ height, width: widthPx })),
    boxes: Array.from({ length: batch }, () => Float64Array.from([8, 10, 40, 44, 50, 20, 80, 60])),
    classes: Array.from({ length: batch }, () => Int32Array.from([rng.int(classes), rng.int(classes)])),
  };
  const step = (k) => {
    const { value, grads } = tf.variableGrads(() => tf.addN(Object.values(model.losses(images, targets, rng.derive('step', k)).losses)), variables);
    optimizer.step(grads, 0.01);
    const loss = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };
  for (let k = 0; k < warmup; k++) step(k);
  const tensorsBefore = tf.memory().numTensors;
  let loss = NaN;
  const t0 = performance.now();
  for (let k = 0; k < steps; k++) loss = step(warmup + k);
  const seconds = (performance.now() - t0) / 1000;
  const leaked = tf.memory().numTensors - tensorsBefore;
  const t1 = performance.now();
  model.predict(images, targets.sizes);
  const testMs = (performance.now() - t1) / batch;

  images.dispose();
  optimizer.dispose();
  model.dispose();
  params.dispose();
  const msPerStep = (seconds * 1000) / Math.max(steps, 1);
  const imagesPerSec = (batch * steps) / seconds;
  return {
    config: { backbone: `resnet18 width ${width} (CIFAR stem, stride 4)`, batch, image: `${height}×${widthPx}`, steps, warmup },
    summary: `${imagesPerSec.toFixed(2)} training images/s, ${msPerStep.toFixed(0)} ms/iteration; test ${testMs.toFixed(0)} ms/image`,
    msPerStep,
    imagesPerSec,
    testMsPerImage: testMs,
    loss,
    leakedTensors: leaked,
  };
}

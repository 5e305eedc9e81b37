import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ResNet, builtinBackbones, resnet18Definition, resnet50Definition } from '../src/backbones/index.js';
import { ParameterSet } from '../src/nn/index.js';
import { resolveOptions } from '../src/options.js';
import { Rng } from '../src/rng.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

function build(def: typeof resnet18Definition, options: Record<string, unknown>, inputShape: [number, number, number] = [32, 32, 3]) {
  const params = new ParameterSet('backbone');
  const net = def.build(resolveOptions(def.options, options, `backbone ${def.id}`), { rng: new Rng(0), params, inputShape }) as ResNet;
  return { net, params };
}

test('builtin definitions: resnet18, resnet50 (width, cifarStem, zeroInitResidual) and the ViTs', (t) => {
  t.deepEqual(builtinBackbones.map((d) => d.id), ['resnet18', 'resnet50', 'vit-tiny', 'vit-small']);
  t.deepEqual(Object.keys(resnet18Definition.options), ['width', 'cifarStem', 'zeroInitResidual']);
  t.is(resnet18Definition.options.cifarStem!.default, true);
});

// torchvision: resnet18 11,689,512 and resnet50 25,557,032 parameters, of which the 1000-class fc
// has 513,000 and 2,049,000. The CIFAR stem swaps a 7×7×3×64 conv (9,408) for 3×3×3×64 (1,728).
const counts: Array<[typeof resnet18Definition, boolean, number, number]> = [
  [resnet18Definition, false, 11_689_512 - 513_000, 60],
  [resnet18Definition, true, 11_689_512 - 513_000 - 9_408 + 1_728, 60],
  [resnet50Definition, false, 25_557_032 - 2_049_000, 159],
  [resnet50Definition, true, 25_557_032 - 2_049_000 - 9_408 + 1_728, 159],
];
for (const [def, cifarStem, expected, tensors] of counts) {
  test(`${def.id} width 64 ${cifarStem ? 'CIFAR' : 'ImageNet'} stem has ${expected.toLocaleString('en')} trainable parameters`, (t) => {
    const { net, params } = build(def, { cifarStem });
    t.is(params.count(), expected);
    t.is(params.trainable().length, tensors);
    t.is(net.featureDim, def.id === 'resnet18' ? 512 : 2048);
    params.dispose();
  });
}

test('torchvision parameter names and roles', (t) => {
  const { params } = build(resnet50Definition, { width: 4 });
  const names = params.list().map((p) => p.name);
  t.deepEqual(names.slice(0, 11), [
    'backbone.conv1.weight',
    'backbone.bn1.weight',
    'backbone.bn1.bias',
    'backbone.bn1.running_mean',
    'backbone.bn1.running_var',
    'backbone.layer1.0.conv1.weight',
    'backbone.layer1.0.bn1.weight',
    'backbone.layer1.0.bn1.bias',
    'backbone.layer1.0.bn1.running_mean',
    'backbone.layer1.0.bn1.running_var',
    'backbone.layer1.0.conv2.weight',
  ]);
  for (const name of [
    'backbone.layer1.0.conv3.weight',
    'backbone.layer1.0.downsample.0.weight',
    'backbone.layer1.0.downsample.1.weight',
    'backbone.layer1.0.downsample.1.running_var',
    'backbone.layer3.5.bn3.bias',
    'backbone.layer4.2.conv3.weight',
  ]) t.true(names.includes(name), name);
  t.false(names.includes('backbone.layer1.1.downsample.0.weight'));
  const role = (n: string) => params.list().find((p) => p.name === `backbone.${n}`)!.role;
  t.is(role('layer2.0.downsample.0.weight'), 'weight');
  t.is(role('layer2.0.bn2.weight'), 'norm');
  t.is(role('layer2.0.bn2.bias'), 'norm');
  t.is(role('layer2.0.bn2.running_mean'), 'buffer');
  // v1.5: the stride sits on the 3×3 conv; downsample is 1×1 with stride 2.
  t.deepEqual(params.get('layer2.0.conv2.weight').shape, [3, 3, 8, 8]);
  t.deepEqual(params.get('layer2.0.downsample.0.weight').shape, [1, 1, 16, 32]);
  params.dispose();
});

test('ResNet-18 shapes through the stages, both stems', (t) => {
  const x = tf.randomNormal([2, 32, 32, 3]) as tf.Tensor4D;
  for (const [cifarStem, sizes] of [
    [true, [32, 32, 16, 8, 4]],
    [false, [8, 8, 4, 2, 1]], // 7×7/2 → 16, max-pool → 8
  ] as const) {
    const { net, params } = build(resnet18Definition, { width: 4, cifarStem });
    t.deepEqual(net.stageChannels, { stem: 4, layer1: 4, layer2: 8, layer3: 16, layer4: 32 });
    tf.tidy(() => {
      let h = x;
      (['stem', 'layer1', 'layer2', 'layer3', 'layer4'] as const).forEach((stage, i) => {
        h = net.forwardStages(h, false, stage, stage);
        t.deepEqual(h.shape, [2, sizes[i]!, sizes[i]!, net.stageChannels[stage]]);
      });
      const c4 = net.forwardStages(x, false, 'stem', 'layer3');
      const split = tf.mean(net.forwardStages(c4, false, 'layer4'), [1, 2]);
      const whole = net.apply(x, false);
      t.deepEqual(whole.shape, [2, 32]);
      t.true(tf.max(tf.abs(tf.sub(split, whole))).dataSync()[0]! < 1e-5, 'stages compose to apply');
    });
    params.dispose();
  }
  x.dispose();
});

test('ResNet-50 features are [B, 8w·4]', (t) => {
  const { net, params } = build(resnet50Definition, { width: 2 }, [16, 16, 1]);
  t.is(net.featureDim, 64);
  const y = tf.tidy(() => net.apply(tf.randomNormal([3, 16, 16, 1]), true));
  t.deepEqual(y.shape, [3, 64]);
  y.dispose();
  params.dispose();
});

test('training updates running statistics; evaluation uses them and changes nothing', (t) => {
  const { net, params } = build(resnet18Definition, { width: 2 }, [8, 8, 3]);
  const x = tf.randomNormal([4, 8, 8, 3], 1, 2) as tf.Tensor4D;
  const runMean = () => Array.from(params.get('bn1.running_mean').dataSync());
  t.deepEqual(runMean(), [0, 0]);
  tf.tidy(() => net.apply(x, true));
  const after = runMean();
  t.notDeepEqual(after, [0, 0]);
  const e1 = tf.tidy(() => net.apply(x, false).dataSync());
  const e2 = tf.tidy(() => net.apply(x, false).dataSync());
  t.deepEqual(Array.from(e1), Array.from(e2));
  t.deepEqual(runMean(), after);
  x.dispose();
  params.dispose();
});

test('gradients reach every trainable parameter, without leaks', (t) => {
  const { net, params } = build(resnet18Definition, { width: 2, cifarStem: false }, [16, 16, 3]);
  const x = tf.randomNormal([2, 16, 16, 3]) as tf.Tensor4D;
  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(net.apply(x, true))) as tf.Scalar);
      return { loss: value.dataSync()[0]!, n: Object.keys(grads).length, shapesOk: params.trainable().every((p) => grads[p.variable.name]?.shape.join() === p.variable.shape.join()) };
    });
  step();
  const before = tf.memory().numTensors;
  const r = step();
  t.is(tf.memory().numTensors, before);
  t.is(r.n, params.trainable().length);
  t.true(r.shapesOk);
  t.true(Number.isFinite(r.loss));
  x.dispose();
  params.dispose();
});

test('zeroInitResidual zeroes the last BN of each block', (t) => {
  const basic = build(resnet18Definition, { width: 2, zeroInitResidual: true });
  t.deepEqual(Array.from(basic.params.get('layer3.1.bn2.weight').dataSync()), [0, 0, 0, 0, 0, 0, 0, 0]);
  t.deepEqual(Array.from(basic.params.get('layer3.1.bn1.weight').dataSync()), [1, 1, 1, 1, 1, 1, 1, 1]);
  basic.params.dispose();
  const bottleneck = build(resnet50Definition, { width: 1, zeroInitResidual: true });
  t.deepEqual(Array.from(bottleneck.params.get('layer1.0.bn3.weight').dataSync()), [0, 0, 0, 0]);
  bottleneck.params.dispose();
});

test('same seed, same weights', (t) => {
  const a = build(resnet18Definition, { width: 2 });
  const b = build(resnet18Definition, { width: 2 });
  t.deepEqual(Array.from(a.params.get('layer4.1.conv2.weight').dataSync()), Array.from(b.params.get('layer4.1.conv2.weight').dataSync()));
  a.params.dispose();
  b.params.dispose();
});

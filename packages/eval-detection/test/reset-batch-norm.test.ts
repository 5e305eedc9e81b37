// resetNorm: every batch norm of a loaded backbone back to a fresh one's values, the
// convolutions untouched, checked against a freshly built network of the same configuration.
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, ParameterSet, resnet18Definition, resnet50Definition, ResNet, Rng } from '@sempair/core';
import { resetBatchNorm } from '../src/train/reset-batch-norm.js';

test.before(async () => {
  await initBackend('cpu');
});

function build(definition: typeof resnet18Definition, options: Record<string, unknown>, seed: number): ResNet {
  return definition.build({ width: 4, cifarStem: true, ...options }, { rng: new Rng(seed), params: new ParameterSet().scope('backbone'), inputShape: [32, 32, 3] }) as ResNet;
}

for (const [label, definition, zeroInitResidual] of [
  ['resnet18', resnet18Definition, false],
  ['resnet50 with zeroInitResidual', resnet50Definition, true],
] as const) {
  test(`${label}: norms reset to a fresh network's, convolutions kept`, (t) => {
    const fresh = build(definition, { zeroInitResidual }, 1);
    const trained = build(definition, { zeroInitResidual }, 2);
    // Stand in for pre-training: move every tensor, norms and statistics included.
    const rng = new Rng(3);
    for (const p of trained.params.list()) {
      const values = Float32Array.from({ length: p.variable.size }, () => rng.uniform(-3, 3));
      p.variable.assign(tf.tensor(values, p.variable.shape));
    }
    const before = new Map(trained.params.list().map((p) => [p.name, p.variable.dataSync().slice()]));
    const reset = resetBatchNorm(trained);
    const freshByName = new Map(fresh.params.list().map((p) => [p.name, p]));
    let norms = 0;
    for (const p of trained.params.list()) {
      const isNorm = p.role === 'norm' || /\.running_(mean|var)$/.test(p.name);
      const now = p.variable.dataSync();
      if (isNorm) {
        norms++;
        t.deepEqual(Array.from(now), Array.from(freshByName.get(p.name)!.variable.dataSync()), p.name);
      } else {
        t.deepEqual(now, before.get(p.name), `${p.name} is kept`);
      }
    }
    t.is(reset, norms);
    // Four tensors per batch norm: the stem's, two or three per block, one per downsample
    // (layers 2–4 for basic blocks; layer 1 too for bottlenecks, which widen it).
    const basic = definition === resnet18Definition;
    t.is(norms, 4 * (1 + (basic ? 8 * 2 : 16 * 3) + (basic ? 3 : 4)));
    if (zeroInitResidual) t.true(trained.params.list().some((p) => p.name.endsWith('.bn3.weight') && p.variable.dataSync().every((v) => v === 0)));
    fresh.params.dispose();
    trained.params.dispose();
  });
}

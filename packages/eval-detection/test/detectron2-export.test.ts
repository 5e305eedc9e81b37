import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import {
  buildBackbone, createRegistry, initBackend, loadCheckpoint, NdArray, resolveRunConfig, Rng, RUN_FILES, saveCheckpoint, unpickle, UserError, writeJsonAtomic,
  type Registry, type RunConfig,
} from '@sempair/core';
import { detectron2Name, exportRunToDetectron2, hwioToOihw } from '../src/export/detectron2-export.js';

const hasNumpy = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

test.before(async () => {
  await initBackend('cpu');
});

function registry(): Registry {
  const r = createRegistry();
  r.methods.register({ id: 'none', description: 'test', options: {}, training: {}, augmentation: 'symmetric', create: () => ({ loss: () => ({ loss: tf.scalar(0) }) }) });
  r.backbones.register({
    id: 'pool',
    description: 'not a ResNet',
    options: {},
    build(_o, { params }) {
      const scale = params.add('scale', tf.ones([1]), 'weight');
      return { id: 'pool', featureDim: 3, params, apply: (x) => tf.mul(tf.mean(x, [1, 2]), scale) as tf.Tensor2D };
    },
  });
  return r;
}

/** A run directory whose one checkpoint holds a backbone built from another seed (so it differs from a fresh build). */
async function makeRun(r: Registry, layer: Record<string, unknown>): Promise<{ runDir: string; config: RunConfig }> {
  const runDir = mkdtempSync(join(tmpdir(), 'sempair-d2-'));
  const config = resolveRunConfig([{ method: 'none', augmentation: { size: 32 }, backend: 'cpu', ...layer }], r);
  await writeJsonAtomic(join(runDir, RUN_FILES.config), config);
  await mkdir(join(runDir, RUN_FILES.checkpoints), { recursive: true });
  const built = buildBackbone(config, r, new Rng(config.seed + 1000));
  await saveCheckpoint(join(runDir, RUN_FILES.checkpoints), 'step-00000007', new Map(built.params.list().map((p) => [p.name, p.variable])), {
    format: 'sempair-checkpoint', version: 1, epoch: 1, step: 7,
  });
  built.params.dispose();
  return { runDir, config };
}

test("names follow MoCo's convert-pretrain-to-detectron2 renames", (t) => {
  t.is(detectron2Name('conv1.weight'), 'stem.conv1.weight');
  t.is(detectron2Name('bn1.running_var'), 'stem.conv1.norm.running_var');
  t.is(detectron2Name('layer1.0.conv1.weight'), 'res2.0.conv1.weight');
  t.is(detectron2Name('layer2.0.bn3.bias'), 'res3.0.conv3.norm.bias');
  t.is(detectron2Name('layer3.1.bn2.running_mean'), 'res4.1.conv2.norm.running_mean');
  t.is(detectron2Name('layer4.0.downsample.0.weight'), 'res5.0.shortcut.weight');
  t.is(detectron2Name('layer4.0.downsample.1.weight'), 'res5.0.shortcut.norm.weight');
});

test('HWIO kernels become OIHW', (t) => {
  // [kh=1, kw=2, in=2, out=3]: value = 100·x + 10·i + o at HWIO position (0, x, i, o).
  const hwio = Float32Array.from({ length: 12 }, (_, k) => {
    const o = k % 3;
    const i = Math.floor(k / 3) % 2;
    const x = Math.floor(k / 6);
    return 100 * x + 10 * i + o;
  });
  const oihw = hwioToOihw(hwio, [1, 2, 2, 3]);
  // OIHW position (o, i, 0, x) must hold 100·x + 10·i + o.
  for (let o = 0; o < 3; o++) for (let i = 0; i < 2; i++) for (let x = 0; x < 2; x++) t.is(oihw[(o * 2 + i) * 2 + x], 100 * x + 10 * i + o);
});

// Serial: ava runs serial tests alone, so the tensor count sees this test only.
test.serial('a ResNet-50 run exports every backbone weight under its detectron2 name, transposed, readable by our unpickler', async (t) => {
  const r = registry();
  const { runDir } = await makeRun(r, { backbone: 'resnet50', backboneOptions: { width: 8, cifarStem: false } });
  t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
  const before = tf.memory().numTensors;
  const result = await exportRunToDetectron2(r, runDir);
  t.is(tf.memory().numTensors, before, 'no tensor left behind');
  t.is(result.out, join(runDir, 'export', 'detectron2-step-00000007.pkl'));
  t.is(result.checkpoint, 'step-00000007');
  t.deepEqual(result.warnings, []);
  t.is(result.config['MODEL.RESNETS.DEPTH'], 50);
  t.is(result.config['MODEL.RESNETS.RES2_OUT_CHANNELS'], 32);
  t.deepEqual(result.config['MODEL.PIXEL_MEAN'], [123.675, 116.28, 103.53]);
  t.deepEqual(result.config['MODEL.PIXEL_STD'], [58.395, 57.12, 57.375]);

  const file = unpickle(readFileSync(result.out), result.out) as Map<string, unknown>;
  t.deepEqual([...file.keys()], ['model', '__author__', 'matching_heuristics']);
  t.is(file.get('__author__'), 'sempair');
  t.is(file.get('matching_heuristics'), true);
  const model = file.get('model') as Map<string, NdArray>;
  // ResNet-50: stem conv + bn (5), 16 blocks × 3 conv+bn (15 each), 4 shortcuts (5 each).
  t.is(model.size, 5 + 16 * 15 + 4 * 5);
  t.is(model.size, result.weights.length);
  const { tensors } = await loadCheckpoint(join(runDir, RUN_FILES.checkpoints, 'step-00000007'));
  t.is(Object.keys(tensors).length, model.size);
  for (const [name, tensor] of Object.entries(tensors)) {
    const exported = model.get(detectron2Name(name.replace(/^backbone\./, '')));
    t.truthy(exported, name);
    t.is(exported!.dtype.code, 'f4');
    const values = new Float32Array(Uint8Array.from(exported!.data).buffer);
    const raw = tensor.dataSync() as Float32Array;
    if (tensor.rank === 4) {
      const [kh, kw, cin, cout] = tensor.shape;
      t.deepEqual(exported!.shape, [cout, cin, kh, kw], name);
      // Spot checks against the HWIO source, index by index.
      for (const [o, i, y, x] of [[0, 0, 0, 0], [cout! - 1, cin! - 1, kh! - 1, kw! - 1], [1, 0, kh! - 1, 0]]) {
        t.is(values[((o! * cin! + i!) * kh! + y!) * kw! + x!], raw[((y! * kw! + x!) * cin! + i!) * cout! + o!], name);
      }
    } else {
      t.deepEqual(exported!.shape, tensor.shape, name);
      t.deepEqual([...values], [...raw], name);
    }
  }
  tf.dispose(Object.values(tensors));
  t.deepEqual(model.get('stem.conv1.weight')!.shape, [8, 3, 7, 7]);
  t.deepEqual(model.get('res5.0.shortcut.weight')!.shape, [256, 128, 1, 1]);
  t.deepEqual(model.get('res5.2.conv3.norm.running_var')!.shape, [256]);
});

(hasNumpy ? test : test.skip)(`python3 pickle + numpy load the file: names, shapes and values as detectron2 sees them${hasNumpy ? '' : ': needs /usr/bin/python3 with numpy'}`, async (t) => {
  const r = registry();
  const { runDir } = await makeRun(r, { backbone: 'resnet18', backboneOptions: { width: 8, cifarStem: false } });
  t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
  const out = join(runDir, 'r18.pkl');
  const result = await exportRunToDetectron2(r, runDir, out);
  t.is(result.config['MODEL.RESNETS.DEPTH'], 18);
  t.deepEqual(result.warnings, ['width 8: detectron2 builds ResNet-18/34 with 64 channels only']);
  const { tensors } = await loadCheckpoint(join(runDir, RUN_FILES.checkpoints, 'step-00000007'));
  // Python applies MoCo's renames itself, transposes our HWIO values with numpy and compares.
  const source = Object.fromEntries(Object.entries(tensors).map(([n, v]) => [n.replace(/^backbone\./, ''), { shape: v.shape, values: Array.from(v.dataSync()) }]));
  tf.dispose(Object.values(tensors));
  const script = String.raw`
import json, pickle, sys, warnings
import numpy as np
warnings.simplefilter("error")
source = json.load(sys.stdin)
with open(sys.argv[1], "rb") as f:
    d = pickle.load(f, encoding="latin1")  # as detectron2's checkpointer opens .pkl files
assert set(d) == {"model", "__author__", "matching_heuristics"}, list(d)
assert d["__author__"] == "sempair" and d["matching_heuristics"] is True
expected = {}
for k, v in source.items():
    if "layer" not in k:
        k = "stem." + k
    for t in [1, 2, 3, 4]:
        k = k.replace("layer{}".format(t), "res{}".format(t + 1))
    for t in [1, 2, 3]:
        k = k.replace("bn{}".format(t), "conv{}.norm".format(t))
    k = k.replace("downsample.0", "shortcut")
    k = k.replace("downsample.1", "shortcut.norm")
    a = np.array(v["values"], dtype=np.float32).reshape(v["shape"])
    expected[k] = a.transpose(3, 2, 0, 1) if a.ndim == 4 else a
model = d["model"]
assert sorted(model) == sorted(expected), sorted(set(model) ^ set(expected))
for k, a in model.items():
    assert isinstance(a, np.ndarray) and a.dtype == np.float32, (k, type(a), a.dtype)
    assert a.shape == expected[k].shape, (k, a.shape, expected[k].shape)
    assert np.array_equal(a, expected[k]), k
print(json.dumps({"n": len(model), "stem": list(model["stem.conv1.weight"].shape), "short": list(model["res3.0.shortcut.weight"].shape)}))
`;
  const run = spawnSync('/usr/bin/python3', ['-c', script, out], { input: JSON.stringify(source), encoding: 'utf8', maxBuffer: 64 << 20 });
  t.is(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  // ResNet-18: stem 5, 8 blocks × 2 conv+bn (10 each), 3 shortcuts (5 each).
  t.is(report.n, 5 + 8 * 10 + 3 * 5);
  t.deepEqual(report.stem, [8, 3, 7, 7]);
  t.deepEqual(report.short, [16, 8, 1, 1]);
});

test('a run without checkpoints, or with a backbone that is not a ResNet, ends in a UserError', async (t) => {
  const r = registry();
  const { runDir } = await makeRun(r, { backbone: 'pool' });
  t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
  await t.throwsAsync(exportRunToDetectron2(r, runDir), { instanceOf: UserError, message: /has a pool backbone, not a ResNet/ });
  t.false(existsSync(join(runDir, 'export')));
  rmSync(join(runDir, RUN_FILES.checkpoints), { recursive: true });
  await t.throwsAsync(exportRunToDetectron2(r, runDir), { instanceOf: UserError, message: /has no checkpoint yet/ });
  // The CIFAR stem (the resnet default) exports with a note on what detectron2 will skip.
  const cifar = await makeRun(r, { backbone: 'resnet18', backboneOptions: { width: 8 } });
  t.teardown(() => rmSync(cifar.runDir, { recursive: true, force: true }));
  const result = await exportRunToDetectron2(r, cifar.runDir);
  t.is(result.warnings.length, 2);
  t.regex(result.warnings[0]!, /CIFAR stem.*skip stem\.conv1\.weight/);
  t.regex(result.warnings[1]!, /width 8/);
});

import { join } from 'node:path';
import {
  float32NdArray, initBackend, listCheckpoints, pickle, readJson, resolveAugmentation, restoreRunBackbone, ResNet, RUN_FILES, runNormalization,
  UserError, writeFileAtomic, type NdArray, type Registry, type RunConfig,
} from '@sempair/core';

/**
 * A pre-trained ResNet backbone as a detectron2 checkpoint, exactly as MoCo's
 * `convert-pretrain-to-detectron2.py` writes one: torchvision names renamed for detectron2
 * (`layerN` → `res(N+1)`, `bnK` → `convK.norm`, `downsample.0/1` → `shortcut`/`shortcut.norm`,
 * names outside the stages prefixed `stem.`), values as float32 numpy arrays in PyTorch's
 * layout (convolution kernels OIHW; ours are HWIO), in a pickle of
 * `{"model": {...}, "__author__": "sempair", "matching_heuristics": True}`.
 * torchvision's `num_batches_tracked` counters have no counterpart here and are not written
 * (detectron2 does not use them).
 */
export function detectron2Name(torchvisionName: string): string {
  let k = torchvisionName;
  if (!k.includes('layer')) k = `stem.${k}`;
  for (const t of [1, 2, 3, 4]) k = k.replaceAll(`layer${t}`, `res${t + 1}`);
  for (const t of [1, 2, 3]) k = k.replaceAll(`bn${t}`, `conv${t}.norm`);
  k = k.replaceAll('downsample.0', 'shortcut');
  k = k.replaceAll('downsample.1', 'shortcut.norm');
  return k;
}

/** HWIO [kh, kw, in, out] → OIHW [out, in, kh, kw] (PyTorch's Conv2d weight layout). */
export function hwioToOihw(values: Float32Array, [kh, kw, cin, cout]: readonly number[]): Float32Array {
  const out = new Float32Array(values.length);
  for (let y = 0; y < kh!; y++) {
    for (let x = 0; x < kw!; x++) {
      for (let i = 0; i < cin!; i++) {
        const from = ((y * kw! + x) * cin! + i) * cout!;
        for (let o = 0; o < cout!; o++) out[((o * cin! + i) * kh! + y) * kw! + x] = values[from + o]!;
      }
    }
  }
  return out;
}

export interface Detectron2Weight {
  /** The torchvision name in sempair's checkpoint (without the `backbone.` scope). */
  from: string;
  /** The detectron2 name. */
  name: string;
  /** PyTorch shape. */
  shape: number[];
}

/** The detectron2 `model` dict of a ResNet's weights, in the network's parameter order. */
export function detectron2Model(resnet: ResNet): { model: Map<string, NdArray>; weights: Detectron2Weight[] } {
  const model = new Map<string, NdArray>();
  const weights: Detectron2Weight[] = [];
  for (const p of resnet.params.list()) {
    const from = p.name.replace(/^backbone\./, '');
    const name = detectron2Name(from);
    const values = p.variable.dataSync() as Float32Array;
    const shape = p.variable.shape.length === 4 ? [p.variable.shape[3]!, p.variable.shape[2]!, p.variable.shape[0]!, p.variable.shape[1]!] : [...p.variable.shape];
    const data = p.variable.shape.length === 4 ? hwioToOihw(values, p.variable.shape) : values;
    if (model.has(name)) throw new Error(`detectron2 export: two weights map to ${name}`);
    model.set(name, float32NdArray(data, shape));
    weights.push({ from, name, shape });
  }
  return { model, weights };
}

/** The pickle bytes of a detectron2 checkpoint holding `model`. */
export function detectron2Pickle(model: Map<string, NdArray>): Uint8Array {
  return pickle(new Map<string, Map<string, NdArray> | string | boolean>([
    ['model', model],
    ['__author__', 'sempair'],
    ['matching_heuristics', true],
  ]));
}

export interface Detectron2ExportResult {
  out: string;
  run: string;
  checkpoint: string;
  backbone: string;
  weights: Detectron2Weight[];
  /** detectron2 config values this backbone needs (MODEL.RESNETS.*, INPUT.FORMAT, MODEL.PIXEL_*). */
  config: Record<string, unknown>;
  /** What detectron2 will not take as it is (a CIFAR stem, another width, other input channels). */
  warnings: string[];
}

/**
 * Writes the newest checkpoint's backbone of `runDir` as a detectron2 `.pkl` (atomically).
 * The default `out` is `<run>/export/detectron2-<checkpoint>.pkl`.
 */
export async function exportRunToDetectron2(registry: Registry, runDir: string, out?: string): Promise<Detectron2ExportResult> {
  const config = await readJson<RunConfig>(join(runDir, RUN_FILES.config), 'run config');
  const checkpoints = await listCheckpoints(join(runDir, RUN_FILES.checkpoints));
  if (checkpoints.length === 0) throw new UserError(`run ${runDir} has no checkpoint yet`, 'train it first (sempair pretrain), or pass a run that has checkpoints/');
  // Only weights are read and rearranged: the plain CPU backend is enough and always there.
  await initBackend('cpu');
  const { params, backbone, checkpoint } = await restoreRunBackbone(registry, config, runDir);
  try {
    if (!(backbone instanceof ResNet)) {
      throw new UserError(`run ${runDir} has a ${config.backbone} backbone, not a ResNet`, 'detectron2 export is for ResNet backbones (resnet18, resnet50)');
    }
    const { model, weights } = detectron2Model(backbone);
    const path = out ?? join(runDir, 'export', `detectron2-${checkpoint}.pkl`);
    await writeFileAtomic(path, detectron2Pickle(model));
    const { block, layers, width, cifarStem, inChannels } = backbone.config;
    const blocks = layers.reduce((a, b) => a + b, 0);
    const depth = block === 'basic' ? 2 * blocks + 2 : 3 * blocks + 2;
    const norm = runNormalization(resolveAugmentation(registry.augmentations.get(config.augmentation.preset), config.augmentation));
    const warnings: string[] = [];
    if (cifarStem) warnings.push("the run uses the CIFAR stem (3×3 conv, no max-pool); detectron2's ResNet stem is 7×7/2 + max-pool, so it will skip stem.conv1.weight (shape mismatch) and keep its own stem");
    if (inChannels !== 3) warnings.push(`the backbone takes ${inChannels}-channel images; detectron2 feeds 3-channel RGB`);
    if (block === 'basic' && width !== 64) warnings.push(`width ${width}: detectron2 builds ResNet-18/34 with 64 channels only`);
    return {
      out: path,
      run: runDir,
      checkpoint: checkpoint!,
      backbone: config.backbone,
      weights,
      config: {
        'MODEL.WEIGHTS': path,
        'MODEL.RESNETS.DEPTH': depth,
        'MODEL.RESNETS.STEM_OUT_CHANNELS': width,
        'MODEL.RESNETS.RES2_OUT_CHANNELS': block === 'basic' ? width : width * 4,
        'MODEL.RESNETS.STRIDE_IN_1X1': false,
        'INPUT.FORMAT': 'RGB',
        'MODEL.PIXEL_MEAN': norm.mean.map((m) => round(m * 255)),
        'MODEL.PIXEL_STD': norm.std.map((s) => round(s * 255)),
      },
      warnings,
    };
  } finally {
    params.dispose();
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

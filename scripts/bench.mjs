#!/usr/bin/env node
// Benchmarks of the built @sempair/core: `pnpm bench <name> [flags] [--json] [--backend auto|native|wasm|cpu|…] [--threads N]`.
// Add one by writing scripts/bench/<name>.mjs and registering it in BENCHMARKS.
import { BenchError, intFlag, parseArgs } from './bench/args.mjs';
import { selectBackend } from './bench/backend.mjs';
import { loadCore } from './bench/core.mjs';
import { description as loaderDescription, loader } from './bench/loader.mjs';
import { description as trainStepDescription, trainStep } from './bench/train-step.mjs';
import { description as detectionStepDescription, detectionStep } from './bench/detection-step.mjs';

/**
 * name → { description, run(core, flags) → { config, imagesPerSec, msPerStep | summary, … }, tf }
 * (`tf: false`: the benchmark uses no tensors, so no backend is selected).
 */
const BENCHMARKS = {
  'train-step': { description: trainStepDescription, run: trainStep, tf: true },
  loader: { description: loaderDescription, run: loader, tf: false },
  'detection-step': { description: detectionStepDescription, run: detectionStep, tf: true },
};

function usage() {
  const lines = Object.entries(BENCHMARKS).map(([name, b]) => `  ${name.padEnd(12)} ${b.description}`);
  return (
    'usage: pnpm bench <name> [--width N] [--batch N] [--size N] [--steps N] [--warmup N] [--backend auto|native|wasm|cpu|…] [--threads N] [--json]\n' +
    '       pnpm bench train-step --compare-pytorch [--rounds N] [--width N] [--backend native] [--threads N]\n' +
    '       pnpm bench detection-step [--width N] [--batch N] [--size N] [--steps N] [--warmup N]\n' +
    '       pnpm bench loader [--dataset image-folder|tiny-imagenet] [--dataset-options root=…,size=N] [--images N] [--source-size N] [--limit N] [--concurrency N] [--json]\n' +
    lines.join('\n')
  );
}

async function main() {
  const { name, flags } = parseArgs(process.argv.slice(2));
  if (!name || flags.help) {
    console.log(usage());
    return;
  }
  const bench = BENCHMARKS[name];
  if (!bench) throw new BenchError(`unknown benchmark '${name}' — use one of: ${Object.keys(BENCHMARKS).join(', ')}`);

  const { core, warning } = await loadCore();
  const { backend, note: backendNote, info } = bench.tf
    ? await selectBackend(core, typeof flags.backend === 'string' ? flags.backend : 'auto', flags.threads === undefined ? undefined : intFlag(flags, 'threads', 1))
    : { backend: 'none' };
  const result = await bench.run(core, flags, info);
  const note = [backendNote, warning].filter(Boolean).join('; ') || undefined;
  const { details: _details, ...fields } = result;
  const report = { benchmark: name, backend, ...(note ? { note } : {}), ...fields };

  if (flags.json) {
    console.log(JSON.stringify(report));
    return;
  }
  const c = result.config;
  const shape = Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(
    (result.summary
      ? `${name}: ${result.summary} (${shape})`
      : `${name} on ${backend}: ${result.imagesPerSec.toFixed(1)} images/s, ${result.msPerStep.toFixed(1)} ms/step (${shape})`) +
      (result.leakedTensors ? ` — WARNING: ${result.leakedTensors} tensors leaked over the timed steps` : ''),
  );
  for (const line of result.details ?? []) console.log(line);
  if (note) console.log(`note: ${note}`);
}

main().catch((error) => {
  if (error instanceof BenchError) {
    console.error(`bench: ${error.message}`);
    process.exit(1);
  }
  throw error;
});

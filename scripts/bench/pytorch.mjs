// CPU PyTorch running the train-step benchmark's network in a child process
// (scripts/bench/train_step_pytorch.py), driven step-batch by step-batch so that its runs can
// alternate with ours on a shared machine.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BenchError } from './args.mjs';

const SCRIPT = fileURLToPath(new URL('./train_step_pytorch.py', import.meta.url));

/** The python3 that has torch (Debian's python3-torch lives under /usr/bin/python3), or why none does. */
export function findTorchPython() {
  const candidates = [...new Set([process.env.SEMPAIR_BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean))];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return { why: `none of ${candidates.join(', ')} can import torch (Debian: sudo apt-get install -y python3-torch)` };
}

/** Starts the PyTorch side and waits until it has warmed up. */
export async function startPytorch(python, { width, batch, size, threads, warmup, waitPolicy }) {
  const child = spawn(python, [SCRIPT, '--width', String(width), '--batch', String(batch), '--size', String(size), '--threads', String(threads), '--warmup', String(warmup)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    // PyTorch's OpenMP pool waits the way sempair's native pool does.
    env: { ...process.env, OMP_WAIT_POLICY: waitPolicy },
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new BenchError('the PyTorch benchmark process exited early (see its error above)');
    return JSON.parse(value);
  };
  const ready = await next();
  return {
    ready,
    /** Times `steps` PyTorch training steps: { imagesPerSec, msPerStep, loss }. */
    async run(steps) {
      child.stdin.write(`run ${steps}\n`);
      return next();
    },
    stop() {
      child.stdin.end('quit\n');
    },
  };
}

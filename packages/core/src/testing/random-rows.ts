import { Rng } from '../rng.js';

/**
 * Standard-normal numbers as float32 (what a tensor holds), drawn from the seed, so a loss test
 * can hand the same values to a float64 reference and to the tensor under test.
 */
export function randomRows(n: number, d: number, seed: number, { scale = 1, shift = 0 }: { scale?: number; shift?: number } = {}): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i++) out[i] = shift + scale * rng.normal();
  return out;
}

/**
 * Resampling a ViT's patch position embeddings to another patch grid, as DINO's
 * `interpolate_pos_encoding` does for its local crops: the [gh·gw, D] table is seen as a
 * gh × gw image with D channels and resized bicubically. Here the resize is a fixed matrix
 * M [gh'·gw', gh·gw] built in plain JS and applied by one matMul, so it is differentiable on
 * every backend with no resize kernel or gradient.
 *
 * Bicubic follows PyTorch's `F.interpolate(mode='bicubic', align_corners=False)` given an output
 * size (timm's `resample_abs_pos_embed`): source coordinate (o + ½)·in/out − ½, cubic
 * convolution with a = −0.75, out-of-range taps clamped to the border. DINO itself passes
 * `scale_factor = (out + 0.1)/in` and so samples at a very slightly different scale.
 */

/** Patch-grid size [rows, columns]. */
export type PatchGrid = readonly [number, number];

/** PyTorch's cubic convolution coefficient (Keys' kernel with a = −0.75). */
const CUBIC_A = -0.75;

/** Kernel for |x| ≤ 1. */
function cubicNear(x: number): number {
  return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
}

/** Kernel for 1 < |x| < 2. */
function cubicFar(x: number): number {
  return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;
}

/**
 * 1-D bicubic resize from `inSize` to `outSize` samples as a row-major [outSize, inSize] matrix
 * (float64). Each row holds the four tap weights, with taps past either end added to the edge.
 */
export function bicubicResizeMatrix(inSize: number, outSize: number): Float64Array {
  const m = new Float64Array(outSize * inSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const src = (o + 0.5) * scale - 0.5;
    const base = Math.floor(src);
    const t = src - base;
    const weights = [cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)];
    for (let k = 0; k < 4; k++) {
      const index = Math.min(Math.max(base - 1 + k, 0), inSize - 1);
      m[o * inSize + index]! += weights[k]!;
    }
  }
  return m;
}

const cache = new Map<string, Float32Array>();

/**
 * M [to rows·cols, from rows·cols] (row-major, float32) with M·P resizing a row-major patch grid
 * table P [from rows·cols, D] to the `to` grid: the Kronecker product of the row and column
 * resize matrices, M[(i,j),(r,c)] = R[i,r]·C[j,c]. Cached per pair of grids.
 */
export function posEmbedResizeMatrix(from: PatchGrid, to: PatchGrid): Float32Array {
  const key = `${from[0]}x${from[1]}>${to[0]}x${to[1]}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const [fromRows, fromCols] = from;
  const [toRows, toCols] = to;
  const rows = bicubicResizeMatrix(fromRows, toRows);
  const cols = bicubicResizeMatrix(fromCols, toCols);
  const fromN = fromRows * fromCols;
  const m = new Float32Array(toRows * toCols * fromN);
  for (let i = 0; i < toRows; i++) {
    for (let j = 0; j < toCols; j++) {
      const out = (i * toCols + j) * fromN;
      for (let r = 0; r < fromRows; r++) {
        const wr = rows[i * fromRows + r]!;
        if (wr === 0) continue;
        for (let c = 0; c < fromCols; c++) m[out + r * fromCols + c] = wr * cols[j * fromCols + c]!;
      }
    }
  }
  cache.set(key, m);
  return m;
}

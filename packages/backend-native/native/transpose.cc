// Transpose of a dense tensor. The TypeScript side merges input axes that stay adjacent, so
// NHWC <-> NCHW arrives as a batch of 2-D transposes, which are done in cache-sized tiles.
#include <cstring>

#include "common.h"

namespace sempair {
namespace {

constexpr int64_t kTile = 64;

/**
 * out[b, j, i] = x[b, i, j] for x [batch, rows, cols], in kTile×kTile tiles. Inside a tile the
 * output is written row by row (contiguous) while the tile's input (16 kB) stays in L1; writing
 * down output columns instead thrashed the cache when rows is a power of two.
 */
void transposeBatched2d(const float* x, float* out, int64_t batch, int64_t rows, int64_t cols) {
  const int64_t tilesR = (rows + kTile - 1) / kTile, tilesC = (cols + kTile - 1) / kTile;
  parallelFor(batch * tilesR, kTile * cols, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      const int64_t b = t / tilesR, i0 = (t % tilesR) * kTile;
      const float* src = x + b * rows * cols;
      float* dst = out + b * rows * cols;
      const int64_t i1 = std::min(rows, i0 + kTile);
      for (int64_t tc = 0; tc < tilesC; tc++) {
        const int64_t j0 = tc * kTile, j1 = std::min(cols, j0 + kTile);
        for (int64_t j = j0; j < j1; j++) {
          float* row = dst + j * rows;
          for (int64_t i = i0; i < i1; i++) row[i] = src[i * cols + j];
        }
      }
    }
  });
}

/** General case: walks the output in order, reading the input with per-dim strides. */
void transposeGeneral(const float* x, float* out, int rank, const int64_t* outDims, const int64_t* inStrides) {
  const int64_t inner = outDims[rank - 1], innerStride = inStrides[rank - 1];
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; d++) rows *= outDims[d];
  parallelFor(rows, inner, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      int64_t rest = r, off = 0;
      for (int d = rank - 2; d >= 0; d--) {
        off += (rest % outDims[d]) * inStrides[d];
        rest /= outDims[d];
      }
      float* dst = out + r * inner;
      const float* src = x + off;
      if (innerStride == 1) std::memcpy(dst, src, sizeof(float) * inner);
      else
        for (int64_t i = 0; i < inner; i++) dst[i] = src[i * innerStride];
    }
  });
}

}  // namespace

/** transpose(x, out, dims: Int32Array, perm: Int32Array): out = x permuted, out dim i = x dim perm[i]. */
void transpose(const Args& args) {
  size_t n = 0, outLength = 0, rank = 0, permLength = 0;
  const float* x = args.f32(0, &n);
  float* out = args.f32(1, &outLength);
  const int32_t* dims = args.i32(2, &rank);
  const int32_t* perm = args.i32(3, &permLength);
  if (rank < 1 || rank > 8 || permLength != rank || n != outLength) throw ArgumentError("transpose: bad shape or permutation");
  const int r = static_cast<int>(rank);
  int64_t strides[8], outDims[8], inStrides[8];
  strides[r - 1] = 1;
  for (int d = r - 2; d >= 0; d--) strides[d] = strides[d + 1] * dims[d + 1];
  for (int d = 0; d < r; d++) {
    if (perm[d] < 0 || perm[d] >= r) throw ArgumentError("transpose: permutation out of range");
    outDims[d] = dims[perm[d]];
    inStrides[d] = strides[perm[d]];
  }
  // [..., rows, cols] -> [..., cols, rows] with the leading axes in place: tiled.
  bool swapLastTwo = r >= 2 && perm[r - 1] == r - 2 && perm[r - 2] == r - 1;
  for (int d = 0; d < r - 2 && swapLastTwo; d++) swapLastTwo = perm[d] == d;
  if (swapLastTwo) {
    int64_t batch = 1;
    for (int d = 0; d < r - 2; d++) batch *= dims[d];
    transposeBatched2d(x, out, batch, dims[r - 2], dims[r - 1]);
    return;
  }
  transposeGeneral(x, out, r, outDims, inStrides);
}

}  // namespace sempair

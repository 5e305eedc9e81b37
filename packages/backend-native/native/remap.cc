// Copies that move elements by per-axis index maps (MirrorPad, FlipLeftRight), and
// CropAndResize, ported from the stock tfjs cpu kernels' arithmetic (in double, as they are).
#include <cmath>

#include "common.h"

namespace sempair {

/**
 * remap(x, out, outDims: Int32Array(r), inStrides: Int32Array(r), maps: Int32Array(Σ outDims))
 * out[o_0, …, o_{r−1}] = x[Σ_d maps_d[o_d] · inStrides[d]], maps_d being the d-th run of `maps`.
 */
void remap(const Args& args) {
  size_t n = 0, outLength = 0, rank = 0, strideRank = 0, mapLength = 0;
  const float* x = args.f32(0, &n);
  float* out = args.f32(1, &outLength);
  const int32_t* dims = args.i32(2, &rank);
  const int32_t* strides = args.i32(3, &strideRank);
  const int32_t* maps = args.i32(4, &mapLength);
  if (rank < 1 || rank > 8 || strideRank != rank) throw ArgumentError("remap: dims and strides must have the same rank, 1 to 8");
  const int r = static_cast<int>(rank);
  const int32_t* map[8];
  int64_t total = 1, offset = 0;
  for (int d = 0; d < r; d++) {
    map[d] = maps + offset;
    offset += dims[d];
    total *= dims[d];
  }
  if (static_cast<size_t>(offset) != mapLength || static_cast<size_t>(total) != outLength) throw ArgumentError("remap: maps do not match the output");
  const int64_t inner = dims[r - 1];
  const int64_t rows = total / inner;
  const int64_t innerStride = strides[r - 1];
  const int32_t* innerMap = map[r - 1];
  // Every mapped index must stay inside x: checked once here, not per element.
  int64_t maxOffset = 0;
  for (int d = 0; d < r; d++) {
    int64_t most = 0;
    for (int64_t i = 0; i < dims[d]; i++) {
      if (map[d][i] < 0) throw ArgumentError("remap: negative index");
      most = std::max<int64_t>(most, map[d][i]);
    }
    maxOffset += most * strides[d];
  }
  if (total > 0 && maxOffset >= static_cast<int64_t>(n)) throw ArgumentError("remap: an index reaches past the input");
  parallelFor(rows, inner, [&](int64_t r0, int64_t r1) {
    for (int64_t row = r0; row < r1; row++) {
      int64_t rest = row, base = 0;
      for (int d = r - 2; d >= 0; d--) {
        base += static_cast<int64_t>(map[d][rest % dims[d]]) * strides[d];
        rest /= dims[d];
      }
      float* dst = out + row * inner;
      const float* src = x + base;
      for (int64_t i = 0; i < inner; i++) dst[i] = src[static_cast<int64_t>(innerMap[i]) * innerStride];
    }
  });
}

/**
 * cropAndResize(image, boxes, boxIndex: Int32Array, out, geometry: Int32Array(6), nearest, extrapolation)
 * geometry: batch, height, width, channels, cropHeight, cropWidth. Boxes [n, 4] as (y1, x1, y2, x2)
 * in [0, 1] image coordinates; a box whose index is outside the batch yields zeros.
 */
void cropAndResize(const Args& args) {
  const float* image = args.f32(0);
  size_t boxValues = 0, boxCount = 0, geometryLength = 0;
  const float* boxes = args.f32(1, &boxValues);
  const int32_t* boxIndex = args.i32(2, &boxCount);
  float* out = args.f32(3);
  const int32_t* g = args.i32(4, &geometryLength);
  const bool nearest = args.integer(5) != 0;
  const double extrapolation = args.number(6);
  if (geometryLength != 6 || boxValues != 4 * boxCount) throw ArgumentError("cropAndResize: bad geometry or boxes");
  const int64_t batch = g[0], height = g[1], width = g[2], channels = g[3], cropH = g[4], cropW = g[5];
  const int64_t boxStride = cropH * cropW * channels;
  parallelFor(static_cast<int64_t>(boxCount) * cropH, cropW * channels * 4, [&](int64_t r0, int64_t r1) {
    for (int64_t row = r0; row < r1; row++) {
      const int64_t b = row / cropH, y = row % cropH;
      float* dst = out + b * boxStride + y * cropW * channels;
      const double y1 = boxes[4 * b], x1 = boxes[4 * b + 1], y2 = boxes[4 * b + 2], x2 = boxes[4 * b + 3];
      const int64_t bi = boxIndex[b];
      if (bi < 0 || bi >= batch) {
        for (int64_t i = 0; i < cropW * channels; i++) dst[i] = 0.0f;
        continue;
      }
      const double heightScale = cropH > 1 ? (y2 - y1) * static_cast<double>(height - 1) / static_cast<double>(cropH - 1) : 0;
      const double widthScale = cropW > 1 ? (x2 - x1) * static_cast<double>(width - 1) / static_cast<double>(cropW - 1) : 0;
      const double yIn = cropH > 1 ? y1 * static_cast<double>(height - 1) + static_cast<double>(y) * heightScale
                                   : 0.5 * (y1 + y2) * static_cast<double>(height - 1);
      if (yIn < 0 || yIn > static_cast<double>(height - 1)) {
        for (int64_t i = 0; i < cropW * channels; i++) dst[i] = static_cast<float>(extrapolation);
        continue;
      }
      const float* img = image + bi * height * width * channels;
      for (int64_t x = 0; x < cropW; x++) {
        float* px = dst + x * channels;
        const double xIn = cropW > 1 ? x1 * static_cast<double>(width - 1) + static_cast<double>(x) * widthScale
                                     : 0.5 * (x1 + x2) * static_cast<double>(width - 1);
        if (xIn < 0 || xIn > static_cast<double>(width - 1)) {
          for (int64_t c = 0; c < channels; c++) px[c] = static_cast<float>(extrapolation);
          continue;
        }
        if (nearest) {
          // Math.round: halves go up.
          const int64_t cx = static_cast<int64_t>(std::floor(xIn + 0.5)), cy = static_cast<int64_t>(std::floor(yIn + 0.5));
          const float* src = img + (cy * width + cx) * channels;
          for (int64_t c = 0; c < channels; c++) px[c] = src[c];
          continue;
        }
        const int64_t top = static_cast<int64_t>(std::floor(yIn)), bottom = static_cast<int64_t>(std::ceil(yIn));
        const int64_t left = static_cast<int64_t>(std::floor(xIn)), right = static_cast<int64_t>(std::ceil(xIn));
        const double yLerp = yIn - static_cast<double>(top), xLerp = xIn - static_cast<double>(left);
        const float* tl = img + (top * width + left) * channels;
        const float* tr = img + (top * width + right) * channels;
        const float* bl = img + (bottom * width + left) * channels;
        const float* br = img + (bottom * width + right) * channels;
        for (int64_t c = 0; c < channels; c++) {
          const double t = tl[c] + (static_cast<double>(tr[c]) - tl[c]) * xLerp;
          const double u = bl[c] + (static_cast<double>(br[c]) - bl[c]) * xLerp;
          px[c] = static_cast<float>(t + (u - t) * yLerp);
        }
      }
    }
  });
}

}  // namespace sempair

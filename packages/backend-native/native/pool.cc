// Max and average pooling over NHWC, forward and gradients, with the stock tfjs kernels'
// conventions: max takes the first strictly largest value of a window (NaN never wins), average
// divides by the number of in-bounds pixels, and its gradient by the full window size.
#include <cstring>
#include <limits>
#include <vector>

#include "common.h"

namespace sempair {
namespace {

enum PoolKind { kMaxForward = 0, kAvgForward = 1, kMaxGrad = 2, kAvgGrad = 3 };

struct Geometry {
  int64_t n, h, w, c, oh, ow, fh, fw, sh, sw, dh, dw, pt, pl;
  explicit Geometry(const int32_t* g)
      : n(g[0]), h(g[1]), w(g[2]), c(g[3]), oh(g[4]), ow(g[5]), fh(g[6]), fw(g[7]), sh(g[8]), sw(g[9]), dh(g[10]),
        dw(g[11]), pt(g[12]), pl(g[13]) {}
  /** First in-bounds index of a window starting at `corner`, stepping by `dilation`. */
  static int64_t first(int64_t corner, int64_t dilation) {
    int64_t i = corner;
    while (i < 0) i += dilation;
    return i;
  }
  static int64_t end(int64_t corner, int64_t filter, int64_t dilation, int64_t size) {
    return std::min(size, corner + (filter - 1) * dilation + 1);
  }
};

void forward(bool isMax, const Geometry& g, const float* x, float* y) {
  parallelFor(g.n * g.oh, g.ow * g.c * g.fh * g.fw, [&](int64_t r0, int64_t r1) {
    std::vector<int32_t> count;
    for (int64_t r = r0; r < r1; r++) {
      const int64_t b = r / g.oh, yr = r % g.oh;
      const int64_t rCorner = yr * g.sh - g.pt;
      const int64_t rBegin = Geometry::first(rCorner, g.dh), rEnd = Geometry::end(rCorner, g.fh, g.dh, g.h);
      for (int64_t yc = 0; yc < g.ow; yc++) {
        const int64_t cCorner = yc * g.sw - g.pl;
        const int64_t cBegin = Geometry::first(cCorner, g.dw), cEnd = Geometry::end(cCorner, g.fw, g.dw, g.w);
        float* out = y + ((b * g.oh + yr) * g.ow + yc) * g.c;
        const float init = isMax ? -std::numeric_limits<float>::infinity() : 0.0f;
        for (int64_t d = 0; d < g.c; d++) out[d] = init;
        int64_t pixels = 0;
        for (int64_t xr = rBegin; xr < rEnd; xr += g.dh) {
          for (int64_t xc = cBegin; xc < cEnd; xc += g.dw) {
            const float* in = x + ((b * g.h + xr) * g.w + xc) * g.c;
            if (isMax) {
              for (int64_t d = 0; d < g.c; d++) out[d] = in[d] > out[d] ? in[d] : out[d];
            } else {
#pragma omp simd
              for (int64_t d = 0; d < g.c; d++) out[d] += in[d];
            }
            pixels++;
          }
        }
        if (!isMax) {
          const float divisor = static_cast<float>(pixels);
          for (int64_t d = 0; d < g.c; d++) out[d] = out[d] / divisor;
        }
      }
    }
  });
}

/** dx = Σ over windows of dy routed to each window's max (first strict max), per image. */
void maxGrad(const Geometry& g, const float* dy, const float* x, float* dx) {
  const int64_t image = g.h * g.w * g.c;
  parallelFor(g.n, image, [&](int64_t b0, int64_t b1) {
    std::vector<float> best(g.c);
    std::vector<int64_t> where(g.c);
    for (int64_t b = b0; b < b1; b++) {
      float* dxImage = dx + b * image;
      std::memset(dxImage, 0, sizeof(float) * image);
      for (int64_t yr = 0; yr < g.oh; yr++) {
        const int64_t rCorner = yr * g.sh - g.pt;
        const int64_t rBegin = Geometry::first(rCorner, g.dh), rEnd = Geometry::end(rCorner, g.fh, g.dh, g.h);
        for (int64_t yc = 0; yc < g.ow; yc++) {
          const int64_t cCorner = yc * g.sw - g.pl;
          const int64_t cBegin = Geometry::first(cCorner, g.dw), cEnd = Geometry::end(cCorner, g.fw, g.dw, g.w);
          std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
          std::fill(where.begin(), where.end(), int64_t{-1});
          for (int64_t xr = rBegin; xr < rEnd; xr += g.dh) {
            for (int64_t xc = cBegin; xc < cEnd; xc += g.dw) {
              const int64_t at = (xr * g.w + xc) * g.c;
              const float* in = x + b * image + at;
              for (int64_t d = 0; d < g.c; d++) {
                if (in[d] > best[d]) {
                  best[d] = in[d];
                  where[d] = at + d;
                }
              }
            }
          }
          const float* grad = dy + ((b * g.oh + yr) * g.ow + yc) * g.c;
          for (int64_t d = 0; d < g.c; d++) {
            if (where[d] >= 0) dxImage[where[d]] += grad[d];
          }
        }
      }
    }
  });
}

/** dx = (Σ over windows covering a pixel of dy) / (fh·fw), per image. */
void avgGrad(const Geometry& g, const float* dy, float* dx) {
  const int64_t image = g.h * g.w * g.c;
  const float multiplier = 1.0f / static_cast<float>(g.fh * g.fw);
  parallelFor(g.n, image, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      float* dxImage = dx + b * image;
      std::memset(dxImage, 0, sizeof(float) * image);
      for (int64_t yr = 0; yr < g.oh; yr++) {
        const int64_t rCorner = yr * g.sh - g.pt;
        const int64_t rBegin = Geometry::first(rCorner, g.dh), rEnd = Geometry::end(rCorner, g.fh, g.dh, g.h);
        for (int64_t yc = 0; yc < g.ow; yc++) {
          const int64_t cCorner = yc * g.sw - g.pl;
          const int64_t cBegin = Geometry::first(cCorner, g.dw), cEnd = Geometry::end(cCorner, g.fw, g.dw, g.w);
          const float* grad = dy + ((b * g.oh + yr) * g.ow + yc) * g.c;
          for (int64_t xr = rBegin; xr < rEnd; xr += g.dh) {
            for (int64_t xc = cBegin; xc < cEnd; xc += g.dw) {
              float* out = dxImage + (xr * g.w + xc) * g.c;
#pragma omp simd
              for (int64_t d = 0; d < g.c; d++) out[d] += grad[d];
            }
          }
        }
      }
      for (int64_t i = 0; i < image; i++) dxImage[i] *= multiplier;
    }
  });
}

}  // namespace

/**
 * pool(kind, a, b, out, geometry: Int32Array(14))
 *   kind 0 max / 1 avg forward: a = x, b unused (null), out = y
 *   kind 2 max gradient: a = dy, b = x, out = dx;  kind 3 avg gradient: a = dy, out = dx
 * geometry: n, h, w, c, outH, outW, filterH, filterW, strideH, strideW, dilationH, dilationW, padTop, padLeft
 */
void pool(const Args& args) {
  const int kind = static_cast<int>(args.integer(0));
  const float* a = args.f32(1);
  const float* b = args.f32OrNull(2);
  float* out = args.f32(3);
  size_t length = 0;
  const int32_t* raw = args.i32(4, &length);
  if (length != 14) throw ArgumentError("pool geometry must have 14 entries");
  const Geometry g(raw);
  switch (kind) {
    case kMaxForward: return forward(true, g, a, out);
    case kAvgForward: return forward(false, g, a, out);
    case kMaxGrad:
      if (b == nullptr) throw ArgumentError("max-pool gradient needs the input");
      return maxGrad(g, a, b, out);
    case kAvgGrad: return avgGrad(g, a, out);
    default: throw ArgumentError("unknown pool kind " + std::to_string(kind));
  }
}

}  // namespace sempair

// Batch normalisation over the rows of an [M, C] view (NHWC activations), training mode:
// a fused forward (statistics + normalisation, two passes) and its fused gradient (two passes),
// replacing the 4–6 separate ops each way of the composed version. Statistics in double.
#include <cmath>
#include <vector>

#include "common.h"

namespace sempair {
namespace {

/** Per-channel Σa and Σa·b (or Σa² when b is null) over rows, split across threads, in double. */
void channelSums(const float* a, const float* b, const double* center, int64_t m, int64_t c, std::vector<double>& s1,
                 std::vector<double>& s2) {
  const int threads = std::max(1, static_cast<int>(std::min<int64_t>(omp_get_max_threads(), m * c / kGrain)));
  std::vector<std::vector<double>> p1(threads, std::vector<double>(c, 0.0)), p2(threads, std::vector<double>(c, 0.0));
  parallelFor(threads, m * c / threads, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      double* q1 = p1[t].data();
      double* q2 = p2[t].data();
      for (int64_t r = m * t / threads; r < m * (t + 1) / threads; r++) {
        const float* ra = a + r * c;
        if (b == nullptr) {
#pragma omp simd
          for (int64_t j = 0; j < c; j++) {
            const double v = ra[j];
            q1[j] += v;
            q2[j] += v * v;
          }
        } else {
          const float* rb = b + r * c;
#pragma omp simd
          for (int64_t j = 0; j < c; j++) {
            const double g = ra[j];
            q1[j] += g;
            q2[j] += g * (static_cast<double>(rb[j]) - center[j]);
          }
        }
      }
    }
  });
  s1.assign(c, 0.0);
  s2.assign(c, 0.0);
  for (int t = 0; t < threads; t++) {
    for (int64_t j = 0; j < c; j++) {
      s1[j] += p1[t][j];
      s2[j] += p2[t][j];
    }
  }
}

/** out[r, j] = a[j]·x[r, j] + k[j] (+ b[j]·y[r, j] when y is given). */
void affine(const float* x, const float* y, float* out, int64_t m, int64_t c, const std::vector<float>& a,
            const std::vector<float>& b, const std::vector<float>& k) {
  parallelFor(m, c, [&](int64_t r0, int64_t r1) {
    const float* pa = a.data();
    const float* pb = b.data();
    const float* pk = k.data();
    for (int64_t r = r0; r < r1; r++) {
      const float* rx = x + r * c;
      float* ro = out + r * c;
      if (y == nullptr) {
#pragma omp simd
        for (int64_t j = 0; j < c; j++) ro[j] = pa[j] * rx[j] + pk[j];
      } else {
        const float* ry = y + r * c;
#pragma omp simd
        for (int64_t j = 0; j < c; j++) ro[j] = pa[j] * rx[j] + pb[j] * ry[j] + pk[j];
      }
    }
  });
}

}  // namespace

/**
 * batchNormForward(x, gamma | null, beta | null, y, mean, variance, rstd, m, c, epsilon)
 * y = (x − μ)·rstd·γ + β with μ and the biased variance σ² of each channel over the m rows,
 * rstd = 1/√(σ² + ε). Writes y [m, c] and mean, variance, rstd [c].
 */
void batchNormForward(const Args& args) {
  const float* x = args.f32(0);
  const float* gamma = args.f32OrNull(1);
  const float* beta = args.f32OrNull(2);
  float* y = args.f32(3);
  float* mean = args.f32(4);
  float* variance = args.f32(5);
  float* rstd = args.f32(6);
  const int64_t m = args.integer(7), c = args.integer(8);
  const double epsilon = args.number(9);
  if (m < 1 || c < 1) throw ArgumentError("batch norm needs at least one row and one channel");
  std::vector<double> sum, sumSquares;
  channelSums(x, nullptr, nullptr, m, c, sum, sumSquares);
  std::vector<float> scale(c), shift(c), unused;
  for (int64_t j = 0; j < c; j++) {
    const double mu = sum[j] / m;
    const double var = std::max(0.0, sumSquares[j] / m - mu * mu);
    const double r = 1.0 / std::sqrt(var + epsilon);
    const double s = gamma == nullptr ? r : r * gamma[j];
    mean[j] = static_cast<float>(mu);
    variance[j] = static_cast<float>(var);
    rstd[j] = static_cast<float>(r);
    scale[j] = static_cast<float>(s);
    shift[j] = static_cast<float>((beta == nullptr ? 0.0 : beta[j]) - mu * s);
  }
  affine(x, nullptr, y, m, c, scale, unused, shift);
}

/**
 * batchNormBackward(dy, x, mean, rstd, gamma | null, dx, dGamma | null, dBeta | null, m, c)
 * With x̂ = (x − μ)·rstd and s = γ·rstd: dβ = Σdy, dγ = Σdy·x̂,
 * dx = s·(dy − dβ/m − x̂·dγ/m), done as one pass dx = s·dy + b·x + k.
 */
void batchNormBackward(const Args& args) {
  const float* dy = args.f32(0);
  const float* x = args.f32(1);
  const float* mean = args.f32(2);
  const float* rstd = args.f32(3);
  const float* gamma = args.f32OrNull(4);
  float* dx = args.f32(5);
  float* dGamma = args.f32OrNull(6);
  float* dBeta = args.f32OrNull(7);
  const int64_t m = args.integer(8), c = args.integer(9);
  std::vector<double> center(mean, mean + c);
  std::vector<double> sumDy, sumDyXc;
  channelSums(dy, x, center.data(), m, c, sumDy, sumDyXc);
  std::vector<float> a(c), b(c), k(c);
  for (int64_t j = 0; j < c; j++) {
    const double r = rstd[j];
    const double s = gamma == nullptr ? r : r * gamma[j];
    const double dyMean = sumDy[j] / m, dyXcMean = sumDyXc[j] / m;
    const double coefficient = s * r * r * dyXcMean;  // multiplies (x − μ)
    a[j] = static_cast<float>(s);
    b[j] = static_cast<float>(-coefficient);
    k[j] = static_cast<float>(coefficient * mean[j] - s * dyMean);
    if (dGamma != nullptr) dGamma[j] = static_cast<float>(sumDyXc[j] * r);
    if (dBeta != nullptr) dBeta[j] = static_cast<float>(sumDy[j]);
  }
  affine(dy, x, dx, m, c, a, b, k);
}

}  // namespace sempair

// Batch normalisation over the rows of an [M, C] view (NHWC activations), training mode:
// a fused forward (statistics + normalisation, two passes) and its fused gradient (two passes),
// replacing the 4–6 separate ops each way of the composed version. Statistics accumulate in
// double.
#include <cmath>
#include <vector>

#include "common.h"

namespace sempair {
namespace {

// Row loops compiled for AVX-512, AVX2 and baseline x86-64, picked at load time (the addon is
// built once but may run on other CPUs of the same architecture).
#if defined(__GNUC__) && defined(__x86_64__) && defined(__ELF__) && !defined(__clang__)
#define SEMPAIR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SEMPAIR_CLONES
#endif

/** q1 += Σ (a − shift), q2 += Σ (a − shift)² over rows [r0, r1). */
SEMPAIR_CLONES void sumShifted(const float* a, const float* shift, int64_t r0, int64_t r1, int64_t c, double* q1, double* q2) {
  for (int64_t r = r0; r < r1; r++) {
    const float* ra = a + r * c;
#pragma omp simd
    for (int64_t j = 0; j < c; j++) {
      const double v = static_cast<double>(ra[j]) - shift[j];
      q1[j] += v;
      q2[j] += v * v;
    }
  }
}

/** q1 += Σ dy, q2 += Σ dy·(x − center) over rows [r0, r1). */
SEMPAIR_CLONES void sumProducts(const float* dy, const float* x, const double* center, int64_t r0, int64_t r1, int64_t c, double* q1,
                                double* q2) {
  for (int64_t r = r0; r < r1; r++) {
    const float* rd = dy + r * c;
    const float* rx = x + r * c;
#pragma omp simd
    for (int64_t j = 0; j < c; j++) {
      const double g = rd[j];
      q1[j] += g;
      q2[j] += g * (static_cast<double>(rx[j]) - center[j]);
    }
  }
}

/** out = a·x + k (+ b·y when y is given), per channel, over rows [r0, r1). */
SEMPAIR_CLONES void affineRows(const float* x, const float* y, float* out, int64_t r0, int64_t r1, int64_t c, const float* a,
                               const float* b, const float* k) {
  for (int64_t r = r0; r < r1; r++) {
    const float* rx = x + r * c;
    float* ro = out + r * c;
    if (y == nullptr) {
#pragma omp simd
      for (int64_t j = 0; j < c; j++) ro[j] = a[j] * rx[j] + k[j];
    } else {
      const float* ry = y + r * c;
#pragma omp simd
      for (int64_t j = 0; j < c; j++) ro[j] = a[j] * rx[j] + b[j] * ry[j] + k[j];
    }
  }
}

/** Runs sum(r0, r1, q1, q2) over row ranges in parallel, one pair of double accumulators per part, added in order. */
template <class Sum>
void channelSums(int64_t m, int64_t c, Sum sum, std::vector<double>& s1, std::vector<double>& s2) {
  const int parts = std::max(1, static_cast<int>(std::min<int64_t>(omp_get_max_threads(), m * c / kGrain)));
  std::vector<std::vector<double>> p1(parts, std::vector<double>(c, 0.0)), p2(parts, std::vector<double>(c, 0.0));
  parallelFor(parts, m * c / parts, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) sum(m * t / parts, m * (t + 1) / parts, p1[t].data(), p2[t].data());
  });
  s1.assign(c, 0.0);
  s2.assign(c, 0.0);
  for (int t = 0; t < parts; t++) {
    for (int64_t j = 0; j < c; j++) {
      s1[j] += p1[t][j];
      s2[j] += p2[t][j];
    }
  }
}

void affine(const float* x, const float* y, float* out, int64_t m, int64_t c, const std::vector<float>& a,
            const std::vector<float>& b, const std::vector<float>& k) {
  parallelFor(m, c, [&](int64_t r0, int64_t r1) { affineRows(x, y, out, r0, r1, c, a.data(), b.data(), k.data()); });
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
  // One pass for both moments, shifted by the first row so that E[(x−s)²] − E[x−s]² does not
  // cancel catastrophically when the mean is large against the spread.
  const float* firstRow = x;
  std::vector<double> sum, sumSquares;
  channelSums(m, c, [&](int64_t r0, int64_t r1, double* q1, double* q2) { sumShifted(x, firstRow, r0, r1, c, q1, q2); }, sum, sumSquares);
  std::vector<float> scale(c), shift(c), unused(c);
  for (int64_t j = 0; j < c; j++) {
    const double shifted = sum[j] / m;
    const double mu = shifted + firstRow[j];
    const double var = std::max(0.0, sumSquares[j] / m - shifted * shifted);
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
  channelSums(m, c, [&](int64_t r0, int64_t r1, double* q1, double* q2) { sumProducts(dy, x, center.data(), r0, r1, c, q1, q2); }, sumDy, sumDyXc);
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

// Reductions over the middle axis of a [outer, reduce, inner] view: Sum, Mean, Max, Min.
// The TypeScript side collapses any run of adjacent reduced axes into that view. Sums
// accumulate in double, as the stock kernel does.
#include <cmath>
#include <limits>
#include <vector>

#include "common.h"

namespace sempair {
namespace {

enum ReduceOp { kSum = 0, kMean = 1, kMax = 2, kMin = 3 };

/** The stock kernels' rule: a NaN sticks; otherwise keep the larger (smaller) value. */
inline float pickMax(float best, float v) { return (v != v || v > best) ? v : best; }
inline float pickMin(float best, float v) { return (v != v || v < best) ? v : best; }

/** out[o] over x[o, 0..r) (inner == 1). */
void reduceRows(int op, const float* x, float* out, int64_t outer, int64_t r) {
  auto rowValue = [&](const float* row, int64_t begin, int64_t end) -> double {
    if (op == kSum || op == kMean) {
      double s = 0;
#pragma omp simd reduction(+ : s)
      for (int64_t j = begin; j < end; j++) s += row[j];
      return s;
    }
    float best = row[begin];
    for (int64_t j = begin; j < end; j++) best = op == kMax ? pickMax(best, row[j]) : pickMin(best, row[j]);
    return best;
  };
  auto finish = [&](double v) -> float { return static_cast<float>(op == kMean ? v / static_cast<double>(r) : v); };
  if (outer >= omp_get_max_threads() || outer * r < kGrain) {
    parallelFor(outer, r, [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; o++) out[o] = finish(rowValue(x + o * r, 0, r));
    });
    return;
  }
  // Few long rows: split each row across threads, combine the partial results in order.
  for (int64_t o = 0; o < outer; o++) {
    const float* row = x + o * r;
    const int parts = std::max<int>(1, static_cast<int>(std::min<int64_t>(omp_get_max_threads(), r / kGrain)));
    std::vector<double> partial(parts);
    parallelFor(parts, r / parts, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; p++) partial[p] = rowValue(row, r * p / parts, r * (p + 1) / parts);
    });
    double v = partial[0];
    for (int p = 1; p < parts; p++) {
      if (op == kSum || op == kMean) v += partial[p];
      else v = op == kMax ? pickMax(static_cast<float>(v), static_cast<float>(partial[p]))
                          : pickMin(static_cast<float>(v), static_cast<float>(partial[p]));
    }
    out[o] = finish(v);
  }
}

/** acc[i] ⊕= x[j, i] for j in [begin, end), over rows of `inner` contiguous values. */
void accumulate(int op, const float* x, int64_t inner, int64_t begin, int64_t end, double* sum, float* best) {
  for (int64_t j = begin; j < end; j++) {
    const float* row = x + j * inner;
    if (op == kSum || op == kMean) {
#pragma omp simd
      for (int64_t i = 0; i < inner; i++) sum[i] += row[i];
    } else if (op == kMax) {
      for (int64_t i = 0; i < inner; i++) best[i] = pickMax(best[i], row[i]);
    } else {
      for (int64_t i = 0; i < inner; i++) best[i] = pickMin(best[i], row[i]);
    }
  }
}

/** out[o, i] over x[o, 0..r), i] (inner > 1). */
void reduceColumns(int op, const float* x, float* out, int64_t outer, int64_t r, int64_t inner) {
  const bool summing = op == kSum || op == kMean;
  auto one = [&](int64_t o, std::vector<double>& sum, std::vector<float>& best) {
    const float* block = x + o * r * inner;
    if (summing) std::fill(sum.begin(), sum.end(), 0.0);
    else std::copy(block, block + inner, best.begin());
    accumulate(op, block, inner, 0, r, sum.data(), best.data());
    float* dst = out + o * inner;
    for (int64_t i = 0; i < inner; i++) dst[i] = summing ? static_cast<float>(op == kMean ? sum[i] / r : sum[i]) : best[i];
  };
  const int threads = omp_get_max_threads();
  if (outer >= threads || outer * r * inner < kGrain || r < 2 * threads) {
    parallelFor(outer, r * inner, [&](int64_t o0, int64_t o1) {
      std::vector<double> sum(summing ? inner : 0);
      std::vector<float> best(summing ? 0 : inner);
      for (int64_t o = o0; o < o1; o++) one(o, sum, best);
    });
    return;
  }
  // Few outputs over many rows (per-channel sums of [M, C]): split the rows, combine in order.
  for (int64_t o = 0; o < outer; o++) {
    const float* block = x + o * r * inner;
    const int parts = static_cast<int>(std::min<int64_t>(threads, r));
    std::vector<std::vector<double>> sums(summing ? parts : 0, std::vector<double>(inner, 0.0));
    std::vector<std::vector<float>> bests(summing ? 0 : parts);
    parallelFor(parts, r * inner / parts, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; p++) {
        const int64_t begin = r * p / parts, end = r * (p + 1) / parts;
        if (!summing) bests[p].assign(block + begin * inner, block + (begin + 1) * inner);
        accumulate(op, block, inner, begin, end, summing ? sums[p].data() : nullptr, summing ? nullptr : bests[p].data());
      }
    });
    float* dst = out + o * inner;
    for (int64_t i = 0; i < inner; i++) {
      if (summing) {
        double s = 0;
        for (int p = 0; p < parts; p++) s += sums[p][i];
        dst[i] = static_cast<float>(op == kMean ? s / r : s);
      } else {
        float b = bests[0][i];
        for (int p = 1; p < parts; p++) b = op == kMax ? pickMax(b, bests[p][i]) : pickMin(b, bests[p][i]);
        dst[i] = b;
      }
    }
  }
}

}  // namespace

/** reduce(op, x, out, outer, r, inner): out[o, i] = op over j of x[o, j, i]; op 0 sum, 1 mean, 2 max, 3 min. */
void reduce(const Args& args) {
  const int op = static_cast<int>(args.integer(0));
  size_t n = 0, outLength = 0;
  const float* x = args.f32(1, &n);
  float* out = args.f32(2, &outLength);
  const int64_t outer = args.integer(3), r = args.integer(4), inner = args.integer(5);
  if (op < kSum || op > kMin) throw ArgumentError("unknown reduce op " + std::to_string(op));
  if (r < 1 || outer * r * inner != static_cast<int64_t>(n) || outer * inner != static_cast<int64_t>(outLength)) {
    throw ArgumentError("reduce: shapes do not match the buffers");
  }
  if (inner == 1) reduceRows(op, x, out, outer, r);
  else reduceColumns(op, x, out, outer, r, inner);
}

}  // namespace sempair

// Softmax over the last axis: exp(x − max) / Σ exp(x − max), per row.
#include <cmath>
#include <limits>

#include "common.h"

namespace sempair {

/** softmax(x, out, rows, cols) */
void softmax(const Args& args) {
  const float* x = args.f32(0);
  float* out = args.f32(1);
  const int64_t rows = args.integer(2), cols = args.integer(3);
  parallelFor(rows, cols * 8, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* in = x + r * cols;
      float* o = out + r * cols;
      float best = -std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < cols; j++) best = (in[j] != in[j] || in[j] > best) ? in[j] : best;
      double sum = 0;
      for (int64_t j = 0; j < cols; j++) {
        const float e = static_cast<float>(std::exp(static_cast<double>(in[j] - best)));
        o[j] = e;
        sum += e;
      }
      const float total = static_cast<float>(sum);
      for (int64_t j = 0; j < cols; j++) o[j] = o[j] / total;
    }
  });
}

}  // namespace sempair

// Batched matrix products on oneDNN's sgemm (row-major), and the bias + activation epilogue of
// fused kernels.
#include <oneapi/dnnl/dnnl.h>

#include <cmath>

#include "common.h"

namespace sempair {

/**
 * matMul(a, b, out, batchA, batchB, m, n, k, transposeA, transposeB)
 * a: [batchA, m, k] ([batchA, k, m] when transposed), b: [batchB, k, n] ([batchB, n, k]),
 * out: [max(batchA, batchB), m, n]; a batch of 1 is broadcast.
 */
void matMul(const Args& args) {
  const float* a = args.f32(0);
  const float* b = args.f32(1);
  float* out = args.f32(2);
  const int64_t batchA = args.integer(3), batchB = args.integer(4);
  const int64_t m = args.integer(5), n = args.integer(6), k = args.integer(7);
  const bool ta = args.integer(8) != 0, tb = args.integer(9) != 0;
  const int64_t batch = std::max(batchA, batchB);
  if ((batchA != batch && batchA != 1) || (batchB != batch && batchB != 1)) throw ArgumentError("matMul batch sizes do not broadcast");
  const int64_t lda = ta ? m : k, ldb = tb ? k : n;
  const int64_t strideA = batchA == 1 ? 0 : m * k, strideB = batchB == 1 ? 0 : k * n;
  auto one = [&](int64_t i) {
    dnnl_status_t status = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.0f, a + i * strideA, lda,
                                      b + i * strideB, ldb, 0.0f, out + i * m * n, n);
    if (status != dnnl_success) throw std::runtime_error("dnnl_sgemm failed");
  };
  // Many small products (attention heads): one product per thread. Otherwise sgemm threads
  // itself, except for one small product, which stays on this thread.
  const bool smallProducts = m * n * k < (int64_t{1} << 18);
  ThreadScope scope(2.0 * static_cast<double>(batch) * m * n * k < kSingleThreadFlops ? 1 : omp_get_max_threads());
  if (batch > 1 && smallProducts && omp_get_max_threads() > 1) {
    bool failed = false;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < batch; i++) {
      if (dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.0f, a + i * strideA, lda, b + i * strideB, ldb, 0.0f,
                     out + i * m * n, n) != dnnl_success) {
        failed = true;
      }
    }
    if (failed) throw std::runtime_error("dnnl_sgemm failed");
    return;
  }
  for (int64_t i = 0; i < batch; i++) one(i);
}

namespace {
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kLeakyRelu = 3, kSigmoid = 4, kElu = 5 };

inline float activate(float v, int act, float alpha) {
  switch (act) {
    case kRelu: return v < 0 ? 0.0f : v;
    case kRelu6: return v < 0 ? 0.0f : (v > 6 ? 6.0f : v);
    case kLeakyRelu: return v < 0 ? alpha * v : v;
    case kSigmoid: return static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(v))));
    case kElu: return v >= 0 ? v : static_cast<float>(std::exp(static_cast<double>(v)) - 1.0);
    default: return v;
  }
}
}  // namespace

/**
 * biasActivation(out, bias | null, rows, cols, activation, alpha): in place,
 * out[r, c] = act(out[r, c] + bias[c]) (bias of length cols, or 1 for a scalar).
 * Activations: 0 linear, 1 relu, 2 relu6, 3 leakyrelu(alpha), 4 sigmoid, 5 elu.
 */
void biasActivation(const Args& args) {
  float* out = args.f32(0);
  size_t biasLength = 0;
  const float* bias = args.f32OrNull(1, &biasLength);
  const int64_t rows = args.integer(2), cols = args.integer(3);
  const int act = static_cast<int>(args.integer(4));
  const float alpha = static_cast<float>(args.number(5));
  const bool scalarBias = bias != nullptr && biasLength == 1;
  if (bias != nullptr && !scalarBias && static_cast<int64_t>(biasLength) != cols) throw ArgumentError("bias length must be 1 or cols");
  parallelFor(rows, cols, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      float* row = out + r * cols;
      for (int64_t c = 0; c < cols; c++) {
        float v = row[c];
        if (bias != nullptr) v += scalarBias ? bias[0] : bias[c];
        row[c] = activate(v, act, alpha);
      }
    }
  });
}

}  // namespace sempair

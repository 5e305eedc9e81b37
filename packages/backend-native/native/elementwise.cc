// Elementwise kernels: unary maps, broadcasting binary operations, AddN.
// Each matches the stock tfjs cpu kernel's arithmetic (which computes in doubles and rounds to
// float32): + - * / of two floats round identically in float, transcendental functions are
// computed in double.
#include <cmath>
#include <limits>
#include <vector>

#include "common.h"

namespace sempair {
namespace {

enum UnaryOp {
  kRelu = 0, kExp, kLog, kSqrt, kRsqrt, kSquare, kNeg, kAbs, kStep, kSigmoid, kTanh, kReciprocal, kErf, kRelu6, kClip
};

template <int Op>
inline float unaryOp(float x, float alpha, float beta) {
  const double d = x;
  // Math.max(0, x): NaN stays NaN, −0 becomes +0.
  if constexpr (Op == kRelu) return x > 0 ? x : (x == x ? 0.0f : x);
  if constexpr (Op == kRelu6) return x > 0 ? (x > 6 ? 6.0f : x) : (x == x ? 0.0f : x);
  // ClipByValue: alpha = min, beta = max; NaN passes through.
  if constexpr (Op == kClip) return x > beta ? beta : (x < alpha ? alpha : x);
  if constexpr (Op == kExp) return static_cast<float>(std::exp(d));
  if constexpr (Op == kLog) return static_cast<float>(std::log(d));
  // A float square root is correctly rounded, so it equals the double one rounded to float.
  if constexpr (Op == kSqrt) return std::sqrt(x);
  if constexpr (Op == kRsqrt) return static_cast<float>(1.0 / std::sqrt(d));
  if constexpr (Op == kSquare) return x * x;
  if constexpr (Op == kNeg) return -x;
  if constexpr (Op == kAbs) return std::fabs(x);
  if constexpr (Op == kStep) return x != x ? x : (x > 0 ? 1.0f : alpha);
  if constexpr (Op == kSigmoid) return static_cast<float>(1.0 / (1.0 + std::exp(-d)));
  if constexpr (Op == kTanh) return static_cast<float>(std::tanh(d));
  if constexpr (Op == kReciprocal) return static_cast<float>(1.0 / d);
  if constexpr (Op == kErf) {
    // tfjs' Abramowitz–Stegun 7.1.26 approximation (backend_util.ERF_*), not the exact erf,
    // so results agree with the stock kernel.
    const double p = 0.3275911, a1 = 0.254829592, a2 = -0.284496736, a3 = 1.421413741, a4 = -1.453152027,
                 a5 = 1.061405429;
    const double sign = d > 0 ? 1.0 : (d < 0 ? -1.0 : d);  // Math.sign (keeps ±0 and NaN)
    const double v = std::fabs(d);
    const double t = 1.0 / (1.0 + p * v);
    return static_cast<float>(sign * (1.0 - (((((a5 * t + a4) * t) + a3) * t + a2) * t + a1) * t * std::exp(-v * v)));
  }
  return x;
}

template <int Op>
void unaryRun(const float* x, float* out, int64_t n, float alpha, float beta) {
  const bool cheap = Op == kRelu || Op == kRelu6 || Op == kSquare || Op == kNeg || Op == kAbs || Op == kStep || Op == kClip || Op == kSqrt;
  parallelFor(n, cheap ? 1 : 8, [&](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t i = begin; i < end; i++) out[i] = unaryOp<Op>(x[i], alpha, beta);
  });
}

enum BinaryOp { kAdd = 0, kSub, kMul, kDiv, kMax, kMin, kSquaredDifference, kFirst, kReluGrad, kPow };

template <int Op>
inline float binaryOp(float a, float b) {
  if constexpr (Op == kAdd) return a + b;
  if constexpr (Op == kSub) return a - b;
  if constexpr (Op == kMul) return a * b;
  if constexpr (Op == kDiv) return a / b;
  // Math.max / Math.min: NaN if either is NaN.
  if constexpr (Op == kMax) return (a != a || b != b) ? std::numeric_limits<float>::quiet_NaN() : (a > b ? a : b);
  if constexpr (Op == kMin) return (a != a || b != b) ? std::numeric_limits<float>::quiet_NaN() : (a < b ? a : b);
  if constexpr (Op == kSquaredDifference) {
    const double d = static_cast<double>(a) - b;
    return static_cast<float>(d * d);
  }
  if constexpr (Op == kReluGrad) {
    // dy · step(x), exactly as tfjs' Relu gradient computes it (NaN where x is NaN, ±0 kept).
    // Two selects and a multiply, so the loop vectorises (nested branches did not: 25x slower).
    float s = b > 0 ? 1.0f : 0.0f;
    s = b != b ? b : s;
    return a * s;
  }
  if constexpr (Op == kPow) {
    // Math.pow, which differs from C's pow where the result is NaN in JS: a NaN exponent, and
    // ±1 to an infinite power.
    const double e = b;
    if (e != e || (std::fabs(a) == 1.0f && std::isinf(e))) return std::numeric_limits<float>::quiet_NaN();
    if (e == 2.0) return static_cast<float>(static_cast<double>(a) * a);  // exact: norms square
    return static_cast<float>(std::pow(static_cast<double>(a), e));
  }
  return a;  // kFirst: a copy of a read through broadcast strides (Tile)
}

/** One output row: n elements, the operands stepping by sa and sb (0 = broadcast). */
template <int Op>
inline void binaryRow(const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n) {
  if (sa == 1 && sb == 1) {
#pragma omp simd
    for (int64_t i = 0; i < n; i++) out[i] = binaryOp<Op>(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float bv = *b;
#pragma omp simd
    for (int64_t i = 0; i < n; i++) out[i] = binaryOp<Op>(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const float av = *a;
#pragma omp simd
    for (int64_t i = 0; i < n; i++) out[i] = binaryOp<Op>(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; i++) out[i] = binaryOp<Op>(a[i * sa], b[i * sb]);
  }
}

/**
 * out has `rank` dims; a and b are read with the given element strides per output dim (0 where
 * broadcast). The caller collapses dims first, so rank is small.
 */
template <int Op>
void binaryRun(const float* a, const float* b, float* out, int rank, const int64_t* dims, const int64_t* sa,
               const int64_t* sb) {
  const int64_t inner = dims[rank - 1];
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; d++) rows *= dims[d];
  const int64_t ia = sa[rank - 1], ib = sb[rank - 1];
  if (rows == 1) {
    parallelFor(inner, 1, [&](int64_t begin, int64_t end) {
      binaryRow<Op>(a + begin * ia, ia, b + begin * ib, ib, out + begin, end - begin);
    });
    return;
  }
  parallelFor(rows, inner, [&](int64_t begin, int64_t end) {
    // Offsets of row `begin` by mixed radix, then advanced row by row with carries.
    int64_t index[8] = {0};
    int64_t rest = begin, offA = 0, offB = 0;
    for (int d = rank - 2; d >= 0; d--) {
      index[d] = rest % dims[d];
      rest /= dims[d];
      offA += index[d] * sa[d];
      offB += index[d] * sb[d];
    }
    for (int64_t r = begin; r < end; r++) {
      binaryRow<Op>(a + offA, ia, b + offB, ib, out + r * inner, inner);
      for (int d = rank - 2; d >= 0; d--) {
        index[d]++;
        offA += sa[d];
        offB += sb[d];
        if (index[d] < dims[d]) break;
        offA -= index[d] * sa[d];
        offB -= index[d] * sb[d];
        index[d] = 0;
      }
    }
  });
}

/** The broadcast layout binary and compare take as arguments 4–6: dims, strides of a, strides of b. */
struct Broadcast {
  int rank;
  int64_t dims[8], sa[8], sb[8];
  Broadcast(const Args& args, const char* op) {
    size_t n = 0, nA = 0, nB = 0;
    const int32_t* dims32 = args.i32(4, &n);
    const int32_t* sa32 = args.i32(5, &nA);
    const int32_t* sb32 = args.i32(6, &nB);
    if (n < 1 || n > 8 || nA != n || nB != n) throw ArgumentError(std::string(op) + ": dims and strides must have the same rank, 1 to 8");
    for (size_t d = 0; d < n; d++) {
      dims[d] = dims32[d];
      sa[d] = sa32[d];
      sb[d] = sb32[d];
    }
    rank = static_cast<int>(n);
  }
};

}  // namespace

/** unary(op, x, out, alpha, beta): out[i] = op(x[i]); alpha is Step's value for x <= 0, [alpha, beta] ClipByValue's range. */
void unary(const Args& args) {
  const int op = static_cast<int>(args.integer(0));
  size_t n = 0, outLength = 0;
  const float* x = args.f32(1, &n);
  float* out = args.f32(2, &outLength);
  const float alpha = static_cast<float>(args.number(3));
  const float beta = static_cast<float>(args.number(4));
  if (outLength != n) throw ArgumentError("unary: output length differs from the input's");
  const int64_t count = static_cast<int64_t>(n);
  switch (op) {
    case kRelu: return unaryRun<kRelu>(x, out, count, alpha, beta);
    case kExp: return unaryRun<kExp>(x, out, count, alpha, beta);
    case kLog: return unaryRun<kLog>(x, out, count, alpha, beta);
    case kSqrt: return unaryRun<kSqrt>(x, out, count, alpha, beta);
    case kRsqrt: return unaryRun<kRsqrt>(x, out, count, alpha, beta);
    case kSquare: return unaryRun<kSquare>(x, out, count, alpha, beta);
    case kNeg: return unaryRun<kNeg>(x, out, count, alpha, beta);
    case kAbs: return unaryRun<kAbs>(x, out, count, alpha, beta);
    case kStep: return unaryRun<kStep>(x, out, count, alpha, beta);
    case kSigmoid: return unaryRun<kSigmoid>(x, out, count, alpha, beta);
    case kTanh: return unaryRun<kTanh>(x, out, count, alpha, beta);
    case kReciprocal: return unaryRun<kReciprocal>(x, out, count, alpha, beta);
    case kErf: return unaryRun<kErf>(x, out, count, alpha, beta);
    case kRelu6: return unaryRun<kRelu6>(x, out, count, alpha, beta);
    case kClip: return unaryRun<kClip>(x, out, count, alpha, beta);
    default: throw ArgumentError("unknown unary op " + std::to_string(op));
  }
}

/** binary(op, a, b, out, dims: Int32Array, stridesA: Int32Array, stridesB: Int32Array) */
void binary(const Args& args) {
  const int op = static_cast<int>(args.integer(0));
  const float* a = args.f32(1);
  const float* b = args.f32(2);
  float* out = args.f32(3);
  const Broadcast g(args, "binary");
  const int r = g.rank;
  const int64_t *dims = g.dims, *sa = g.sa, *sb = g.sb;
  switch (op) {
    case kAdd: return binaryRun<kAdd>(a, b, out, r, dims, sa, sb);
    case kSub: return binaryRun<kSub>(a, b, out, r, dims, sa, sb);
    case kMul: return binaryRun<kMul>(a, b, out, r, dims, sa, sb);
    case kDiv: return binaryRun<kDiv>(a, b, out, r, dims, sa, sb);
    case kMax: return binaryRun<kMax>(a, b, out, r, dims, sa, sb);
    case kMin: return binaryRun<kMin>(a, b, out, r, dims, sa, sb);
    case kSquaredDifference: return binaryRun<kSquaredDifference>(a, b, out, r, dims, sa, sb);
    case kFirst: return binaryRun<kFirst>(a, b, out, r, dims, sa, sb);
    case kReluGrad: return binaryRun<kReluGrad>(a, b, out, r, dims, sa, sb);
    case kPow: return binaryRun<kPow>(a, b, out, r, dims, sa, sb);
    default: throw ArgumentError("unknown binary op " + std::to_string(op));
  }
}

namespace {
enum CompareOp { kEqual = 0, kNotEqual, kGreater, kGreaterEqual, kLess, kLessEqual };

template <int Op>
inline uint8_t compareOp(float a, float b) {
  if constexpr (Op == kEqual) return a == b;
  if constexpr (Op == kNotEqual) return a != b;
  if constexpr (Op == kGreater) return a > b;
  if constexpr (Op == kGreaterEqual) return a >= b;
  if constexpr (Op == kLess) return a < b;
  return a <= b;
}

/** out (bool, one byte each) = a op b over a broadcast walk, as binaryRun. */
template <int Op>
void compareRun(const float* a, const float* b, uint8_t* out, int rank, const int64_t* dims, const int64_t* sa, const int64_t* sb) {
  const int64_t inner = dims[rank - 1];
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; d++) rows *= dims[d];
  const int64_t ia = sa[rank - 1], ib = sb[rank - 1];
  parallelFor(rows, inner, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; r++) {
      int64_t rest = r, offA = 0, offB = 0;
      for (int d = rank - 2; d >= 0; d--) {
        const int64_t i = rest % dims[d];
        rest /= dims[d];
        offA += i * sa[d];
        offB += i * sb[d];
      }
      uint8_t* o = out + r * inner;
      for (int64_t i = 0; i < inner; i++) o[i] = compareOp<Op>(a[offA + i * ia], b[offB + i * ib]);
    }
  });
}
}  // namespace

/** compare(op, a, b, out: Uint8Array, dims, stridesA, stridesB): Equal, NotEqual, Greater, GreaterEqual, Less, LessEqual. */
void compare(const Args& args) {
  const int op = static_cast<int>(args.integer(0));
  const float* a = args.f32(1);
  const float* b = args.f32(2);
  uint8_t* out = args.u8(3);
  const Broadcast g(args, "compare");
  const int r = g.rank;
  const int64_t *dims = g.dims, *sa = g.sa, *sb = g.sb;
  switch (op) {
    case kEqual: return compareRun<kEqual>(a, b, out, r, dims, sa, sb);
    case kNotEqual: return compareRun<kNotEqual>(a, b, out, r, dims, sa, sb);
    case kGreater: return compareRun<kGreater>(a, b, out, r, dims, sa, sb);
    case kGreaterEqual: return compareRun<kGreaterEqual>(a, b, out, r, dims, sa, sb);
    case kLess: return compareRun<kLess>(a, b, out, r, dims, sa, sb);
    case kLessEqual: return compareRun<kLessEqual>(a, b, out, r, dims, sa, sb);
    default: throw ArgumentError("unknown compare op " + std::to_string(op));
  }
}

/** addN(out, ...inputs): out = Σ inputs (all the same length), summed left to right in float. */
void addN(const Args& args) {
  size_t n = 0;
  float* out = args.f32(0, &n);
  std::vector<const float*> inputs;
  for (size_t i = 1; i < args.count(); i++) {
    size_t length = 0;
    inputs.push_back(args.f32(i, &length));
    if (length != n) throw ArgumentError("addN: inputs must all have the output's length");
  }
  if (inputs.empty()) throw ArgumentError("addN needs at least one input");
  parallelFor(static_cast<int64_t>(n), static_cast<int64_t>(inputs.size()), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; i++) out[i] = inputs[0][i];
    for (size_t j = 1; j < inputs.size(); j++) {
      const float* in = inputs[j];
#pragma omp simd
      for (int64_t i = begin; i < end; i++) out[i] += in[i];
    }
  });
}

}  // namespace sempair

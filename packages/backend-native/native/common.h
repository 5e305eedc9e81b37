// Shared helpers of the addon: reading N-API arguments, one OpenMP thread pool.
#pragma once

#include <node_api.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace sempair {

/** A JS argument that is not what the kernel expects: becomes a thrown JS Error. */
struct ArgumentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/** The positional arguments of one call. */
class Args {
 public:
  Args(napi_env env, napi_callback_info info) : env_(env) {
    argc_ = kMax;
    if (napi_get_cb_info(env, info, &argc_, argv_, nullptr, nullptr) != napi_ok) {
      throw ArgumentError("cannot read the arguments");
    }
  }

  size_t count() const { return argc_; }
  napi_env env() const { return env_; }

  /** A Float32Array's elements (no copy); `length` receives its element count. */
  float* f32(size_t i, size_t* length = nullptr) const {
    float* data = f32OrNull(i, length);
    if (data == nullptr) throw ArgumentError("argument " + std::to_string(i) + " must be a Float32Array");
    return data;
  }

  /** Like f32, but `null`/`undefined` gives nullptr (optional operands such as a bias). */
  float* f32OrNull(size_t i, size_t* length = nullptr) const {
    void* data = typed(i, napi_float32_array, length);
    return static_cast<float*>(data);
  }

  uint8_t* u8(size_t i, size_t* length = nullptr) const {
    void* data = typed(i, napi_uint8_array, length);
    if (data == nullptr) throw ArgumentError("argument " + std::to_string(i) + " must be a Uint8Array");
    return static_cast<uint8_t*>(data);
  }

  const int32_t* i32(size_t i, size_t* length = nullptr) const {
    void* data = typed(i, napi_int32_array, length);
    if (data == nullptr) throw ArgumentError("argument " + std::to_string(i) + " must be an Int32Array");
    return static_cast<const int32_t*>(data);
  }

  int64_t integer(size_t i) const {
    int64_t value = 0;
    if (i >= argc_ || napi_get_value_int64(env_, argv_[i], &value) != napi_ok) {
      throw ArgumentError("argument " + std::to_string(i) + " must be a number");
    }
    return value;
  }

  double number(size_t i) const {
    double value = 0;
    if (i >= argc_ || napi_get_value_double(env_, argv_[i], &value) != napi_ok) {
      throw ArgumentError("argument " + std::to_string(i) + " must be a number");
    }
    return value;
  }

 private:
  static constexpr size_t kMax = 24;

  void* typed(size_t i, napi_typedarray_type want, size_t* length) const {
    if (i >= argc_) throw ArgumentError("missing argument " + std::to_string(i));
    napi_valuetype kind;
    napi_typeof(env_, argv_[i], &kind);
    if (kind == napi_null || kind == napi_undefined) {
      if (length != nullptr) *length = 0;
      return nullptr;
    }
    bool isTyped = false;
    napi_is_typedarray(env_, argv_[i], &isTyped);
    if (!isTyped) return nullptr;
    napi_typedarray_type type;
    size_t n = 0;
    void* data = nullptr;
    napi_get_typedarray_info(env_, argv_[i], &type, &n, &data, nullptr, nullptr);
    if (type != want) return nullptr;
    if (length != nullptr) *length = n;
    return data;
  }

  napi_env env_;
  size_t argc_;
  napi_value argv_[kMax];
};

/** Elements one thread should at least get before splitting a loop is worth a fork/join. */
constexpr int64_t kGrain = 16384;

/**
 * Runs body(begin, end) over [0, n) split into contiguous ranges, one per thread of the single
 * OpenMP pool that oneDNN also uses (so no two pools compete for the cores). `cost` is the work
 * per index in elements, so tiny loops stay on the calling thread.
 */
template <class Body>
void parallelFor(int64_t n, int64_t cost, Body body) {
  if (n <= 0) return;
  const int64_t total = n * std::max<int64_t>(cost, 1);
  const int64_t wanted = std::min<int64_t>(omp_get_max_threads(), std::max<int64_t>(total / kGrain, 1));
  const int chunks = static_cast<int>(std::min<int64_t>(wanted, n));
  if (chunks <= 1) {
    body(int64_t{0}, n);
    return;
  }
#pragma omp parallel num_threads(chunks)
  {
    const int64_t t = omp_get_thread_num();
    const int64_t count = omp_get_num_threads();
    body(n * t / count, n * (t + 1) / count);
  }
}

/**
 * Work (in floating-point operations) below which a oneDNN call runs on the calling thread alone:
 * waking the pool costs more than it saves (small convolutions and products of tests and small
 * images; every convolution of a ResNet-18 at batch 64, 32×32 stays above it).
 */
constexpr double kSingleThreadFlops = 4e6;

/** Sets the pool size for a scope (oneDNN sizes its work by omp_get_max_threads()). */
class ThreadScope {
 public:
  explicit ThreadScope(int threads) : saved_(omp_get_max_threads()) {
    if (threads != saved_) omp_set_num_threads(threads);
  }
  ~ThreadScope() { omp_set_num_threads(saved_); }
  ThreadScope(const ThreadScope&) = delete;
  ThreadScope& operator=(const ThreadScope&) = delete;

 private:
  int saved_;
};

/** Defines an exported function: runs `body`, turning C++ exceptions into JS Errors. */
template <void (*Body)(const Args&)>
napi_value entry(napi_env env, napi_callback_info info) {
  try {
    Args args(env, info);
    Body(args);
  } catch (const std::exception& error) {
    napi_throw_error(env, nullptr, (std::string("sempair native: ") + error.what()).c_str());
  }
  return nullptr;
}

// Kernels, one group per file; argument lists are documented in src/addon.ts.
void conv2d(const Args& args);
void matMul(const Args& args);
void unary(const Args& args);
void binary(const Args& args);
void biasActivation(const Args& args);
void reduce(const Args& args);
void transpose(const Args& args);
void pool(const Args& args);
void batchNormForward(const Args& args);
void batchNormBackward(const Args& args);
void softmax(const Args& args);
void addN(const Args& args);
void remap(const Args& args);
void compare(const Args& args);
void cropAndResize(const Args& args);

}  // namespace sempair

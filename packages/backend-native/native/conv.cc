// 2-D convolutions (NHWC activations, [kh, kw, in, out] filters) on oneDNN: forward, gradient
// with respect to the input, gradient with respect to the filter.
//
// Activations stay in the caller's NHWC buffers. Filters are handed to oneDNN in its preferred
// (blocked) layout, reordered per call: they are small, and the blocked layout is what lets
// oneDNN pick its fastest (brgconv / jit) kernels. Primitives are cached per geometry.
#include <oneapi/dnnl/dnnl.hpp>

#include <memory>
#include <string>
#include <unordered_map>

#include "common.h"

namespace sempair {
namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpuStream() {
  static dnnl::stream stream(cpuEngine());
  return stream;
}

enum ConvKind { kForward = 0, kBackpropInput = 1, kBackpropFilter = 2 };

/** The geometry array src/kernels/conv.ts passes: 17 integers. */
struct Geometry {
  int64_t n, h, w, c, o, kh, kw, oh, ow, sh, sw, dh, dw, pt, pb, pl, pr;
  explicit Geometry(const int32_t* g)
      : n(g[0]), h(g[1]), w(g[2]), c(g[3]), o(g[4]), kh(g[5]), kw(g[6]), oh(g[7]), ow(g[8]),
        sh(g[9]), sw(g[10]), dh(g[11]), dw(g[12]), pt(g[13]), pb(g[14]), pl(g[15]), pr(g[16]) {}

  memory::desc src() const { return {{n, c, h, w}, dt::f32, tag::nhwc}; }
  memory::desc dst() const { return {{n, o, oh, ow}, dt::f32, tag::nhwc}; }
  /** tfjs' filter layout [kh, kw, in, out] is oneDNN's hwio. */
  memory::desc userWeights() const { return {{o, c, kh, kw}, dt::f32, tag::hwio}; }
  memory::desc anyWeights() const { return {{o, c, kh, kw}, dt::f32, tag::any}; }
  memory::dims strides() const { return {sh, sw}; }
  /** oneDNN counts dilation from 0 (0 = dense), tfjs from 1. */
  memory::dims dilates() const { return {dh - 1, dw - 1}; }
  memory::dims padL() const { return {pt, pl}; }
  memory::dims padR() const { return {pb, pr}; }

  /** Threads a convolution of this size uses (one below kSingleThreadFlops). */
  int threads() const {
    const double flops = 2.0 * n * oh * ow * o * c * kh * kw;
    return flops < kSingleThreadFlops ? 1 : omp_get_max_threads();
  }

  std::string key(int kind, int threads) const {
    std::string k = std::to_string(kind) + "@" + std::to_string(threads);
    for (int64_t v : {n, h, w, c, o, kh, kw, oh, ow, sh, sw, dh, dw, pt, pb, pl, pr}) k += "," + std::to_string(v);
    return k;
  }
};

dnnl::convolution_forward::primitive_desc forwardDesc(const Geometry& g) {
  dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, g.src(),
                                       g.anyWeights(), g.dst(), g.strides(), g.dilates(), g.padL(), g.padR());
  return {desc, cpuEngine()};
}

/** One cached convolution: the primitive, and the filter reorder between tfjs' and oneDNN's layouts. */
struct Conv {
  dnnl::primitive primitive;
  memory src, dst;              // activations (user buffers bound per call)
  memory userWeights;           // tfjs layout (bound per call)
  memory weights;               // oneDNN's layout; == userWeights when they agree
  dnnl::reorder weightsReorder; // user→internal (forward, backprop input) or internal→user (backprop filter)
  bool reorderWeights = false;
};

std::unique_ptr<Conv> build(const Geometry& g, int kind) {
  auto conv = std::make_unique<Conv>();
  dnnl::engine& engine = cpuEngine();
  auto fwd = forwardDesc(g);
  memory::desc internal;
  switch (kind) {
    case kForward:
      conv->primitive = dnnl::convolution_forward(fwd);
      internal = fwd.weights_desc();
      break;
    case kBackpropInput: {
      dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, g.src(), g.anyWeights(), g.dst(),
                                                 g.strides(), g.dilates(), g.padL(), g.padR());
      dnnl::convolution_backward_data::primitive_desc pd(desc, engine, fwd);
      conv->primitive = dnnl::convolution_backward_data(pd);
      internal = pd.weights_desc();
      break;
    }
    case kBackpropFilter: {
      dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, g.src(), g.anyWeights(),
                                                    g.dst(), g.strides(), g.dilates(), g.padL(), g.padR());
      dnnl::convolution_backward_weights::primitive_desc pd(desc, engine, fwd);
      conv->primitive = dnnl::convolution_backward_weights(pd);
      internal = pd.diff_weights_desc();
      break;
    }
    default:
      throw ArgumentError("unknown convolution kind " + std::to_string(kind));
  }
  conv->src = memory(g.src(), engine, DNNL_MEMORY_NONE);
  conv->dst = memory(g.dst(), engine, DNNL_MEMORY_NONE);
  conv->userWeights = memory(g.userWeights(), engine, DNNL_MEMORY_NONE);
  conv->reorderWeights = internal != g.userWeights();
  if (conv->reorderWeights) {
    conv->weights = memory(internal, engine);  // owned scratch, reused every call
    conv->weightsReorder = kind == kBackpropFilter ? dnnl::reorder(conv->weights, conv->userWeights)
                                                   : dnnl::reorder(conv->userWeights, conv->weights);
  } else {
    conv->weights = conv->userWeights;
  }
  return conv;
}

/** The primitive for this geometry and thread count (oneDNN plans its work split when it is created). */
Conv& cached(const Geometry& g, int kind, int threads) {
  static std::unordered_map<std::string, std::unique_ptr<Conv>> cache;
  const std::string key = g.key(kind, threads);
  auto it = cache.find(key);
  if (it == cache.end()) {
    // A network has a few dozen geometries; a stream of new ones (varying batch sizes) starts over.
    if (cache.size() >= 1024) cache.clear();
    it = cache.emplace(key, build(g, kind)).first;
  }
  return *it->second;
}

}  // namespace

/**
 * conv2d(kind, a, b, out, geometry: Int32Array(17))
 *   kind 0: a = x, b = filter, out = y
 *   kind 1: a = dy, b = filter, out = dx
 *   kind 2: a = x, b = dy, out = dFilter
 */
void conv2d(const Args& args) {
  const int kind = static_cast<int>(args.integer(0));
  float* a = args.f32(1);
  float* b = args.f32(2);
  float* out = args.f32(3);
  size_t geometryLength = 0;
  const int32_t* raw = args.i32(4, &geometryLength);
  if (geometryLength != 17) throw ArgumentError("convolution geometry must have 17 entries");
  const Geometry g(raw);
  // Created and run under the same pool size.
  ThreadScope scope(g.threads());
  Conv& conv = cached(g, kind, omp_get_max_threads());
  dnnl::stream& stream = cpuStream();
  switch (kind) {
    case kForward:
      conv.src.set_data_handle(a);
      conv.userWeights.set_data_handle(b);
      conv.dst.set_data_handle(out);
      if (conv.reorderWeights) conv.weightsReorder.execute(stream, conv.userWeights, conv.weights);
      conv.primitive.execute(stream, {{DNNL_ARG_SRC, conv.src}, {DNNL_ARG_WEIGHTS, conv.weights}, {DNNL_ARG_DST, conv.dst}});
      break;
    case kBackpropInput:
      conv.dst.set_data_handle(a);
      conv.userWeights.set_data_handle(b);
      conv.src.set_data_handle(out);
      if (conv.reorderWeights) conv.weightsReorder.execute(stream, conv.userWeights, conv.weights);
      conv.primitive.execute(stream, {{DNNL_ARG_DIFF_DST, conv.dst}, {DNNL_ARG_WEIGHTS, conv.weights}, {DNNL_ARG_DIFF_SRC, conv.src}});
      break;
    case kBackpropFilter:
      conv.src.set_data_handle(a);
      conv.dst.set_data_handle(b);
      conv.userWeights.set_data_handle(out);
      conv.primitive.execute(stream, {{DNNL_ARG_SRC, conv.src}, {DNNL_ARG_DIFF_DST, conv.dst}, {DNNL_ARG_DIFF_WEIGHTS, conv.weights}});
      if (conv.reorderWeights) conv.weightsReorder.execute(stream, conv.weights, conv.userWeights);
      break;
  }
  stream.wait();
}

}  // namespace sempair

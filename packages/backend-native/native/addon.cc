// The sempair native kernels addon: N-API entry points over oneDNN and OpenMP.
#include <oneapi/dnnl/dnnl.h>

#include "common.h"

namespace sempair {
namespace {

const char* isaName(dnnl_cpu_isa_t isa) {
  switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    default: return "generic";
  }
}

napi_value makeString(napi_env env, const std::string& s) {
  napi_value v;
  napi_create_string_utf8(env, s.c_str(), s.size(), &v);
  return v;
}

napi_value makeInt(napi_env env, int64_t i) {
  napi_value v;
  napi_create_int64(env, i, &v);
  return v;
}

/** info() → { onednn: '2.6.3', isa, threads, openmp } */
napi_value info(napi_env env, napi_callback_info) {
  const dnnl_version_t* version = dnnl_version();
  napi_value result;
  napi_create_object(env, &result);
  const std::string onednn = std::to_string(version->major) + "." + std::to_string(version->minor) + "." + std::to_string(version->patch);
  napi_set_named_property(env, result, "onednn", makeString(env, onednn));
  napi_set_named_property(env, result, "isa", makeString(env, isaName(dnnl_get_effective_cpu_isa())));
  napi_set_named_property(env, result, "threads", makeInt(env, omp_get_max_threads()));
  napi_set_named_property(env, result, "openmp", makeInt(env, _OPENMP));
  return result;
}

/** setThreads(n): the size of the one OpenMP pool that every kernel and oneDNN share. */
void setThreads(const Args& args) {
  const int64_t n = args.integer(0);
  if (n < 1 || n > 4096) throw ArgumentError("threads must be between 1 and 4096");
  omp_set_num_threads(static_cast<int>(n));
}

// Writable and enumerable, like a JS object's methods (so callers can list or wrap them).
constexpr napi_property_attributes kMethod = static_cast<napi_property_attributes>(napi_writable | napi_enumerable | napi_configurable);

napi_value init(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      {"info", nullptr, info, nullptr, nullptr, nullptr, kMethod, nullptr},
      {"setThreads", nullptr, entry<setThreads>, nullptr, nullptr, nullptr, kMethod, nullptr},
      {"conv2d", nullptr, entry<conv2d>, nullptr, nullptr, nullptr, kMethod, nullptr},
      {"matMul", nullptr, entry<matMul>, nullptr, nullptr, nullptr, kMethod, nullptr},
      {"biasActivation", nullptr, entry<biasActivation>, nullptr, nullptr, nullptr, kMethod, nullptr},
      {"unary", nullptr, entry<unary>, nullptr, nullptr, nullptr, kMethod, nullptr},
      {"binary", nullptr, entry<binary>, nullptr, nullptr, nullptr, kMethod, nullptr},
      {"addN", nullptr, entry<addN>, nullptr, nullptr, nullptr, kMethod, nullptr},
      {"reduce", nullptr, entry<reduce>, nullptr, nullptr, nullptr, kMethod, nullptr},
      {"transpose", nullptr, entry<transpose>, nullptr, nullptr, nullptr, kMethod, nullptr},
      {"pool", nullptr, entry<pool>, nullptr, nullptr, nullptr, kMethod, nullptr},
      {"batchNormForward", nullptr, entry<batchNormForward>, nullptr, nullptr, nullptr, kMethod, nullptr},
      {"batchNormBackward", nullptr, entry<batchNormBackward>, nullptr, nullptr, nullptr, kMethod, nullptr},
      {"softmax", nullptr, entry<softmax>, nullptr, nullptr, nullptr, kMethod, nullptr},
      {"remap", nullptr, entry<remap>, nullptr, nullptr, nullptr, kMethod, nullptr},
      {"compare", nullptr, entry<compare>, nullptr, nullptr, nullptr, kMethod, nullptr},
      {"cropAndResize", nullptr, entry<cropAndResize>, nullptr, nullptr, nullptr, kMethod, nullptr},
  };
  napi_define_properties(env, exports, sizeof(functions) / sizeof(functions[0]), functions);
  return exports;
}

}  // namespace
}  // namespace sempair

NAPI_MODULE(NODE_GYP_MODULE_NAME, sempair::init)

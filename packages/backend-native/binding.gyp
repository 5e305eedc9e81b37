{
  # oneDNN (Debian/Ubuntu: libdnnl-dev) from the system; DNNL_ROOT points at another install.
  "variables": {
    "dnnl_root%": "<!(node -p \"process.env.DNNL_ROOT || ''\")"
  },
  "targets": [
    {
      "target_name": "sempair_native",
      "sources": [
        "native/addon.cc",
        "native/conv.cc",
        "native/matmul.cc",
        "native/elementwise.cc",
        "native/reduce.cc",
        "native/transpose.cc",
        "native/pool.cc",
        "native/batch_norm.cc",
        "native/softmax.cc",
        "native/remap.cc"
      ],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fexceptions"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl"],
      "conditions": [
        ["dnnl_root != ''", {
          "include_dirs": ["<(dnnl_root)/include"],
          "libraries": ["-L<(dnnl_root)/lib", "-Wl,-rpath,<(dnnl_root)/lib"]
        }],
        ["OS == 'mac'", {
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3", "-Xpreprocessor", "-fopenmp"],
            "OTHER_LDFLAGS": ["-lomp"]
          }
        }]
      ]
    }
  ]
}

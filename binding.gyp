{
  "includes": ["native/sources.gypi"],
  "targets": [
    {
      "target_name": "openssl_tls",
      "sources": ["<@(otls_core_sources)", "<@(otls_transport_sources)", "<@(otls_binding_sources)"],
      "include_dirs!": [
        "<(node_root_dir)/include/node",
        "<(node_root_dir)/deps/openssl/config",
        "<(node_root_dir)/deps/openssl/openssl/include"
      ],
      "include_dirs": [
        "native",
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!(node -p \"require('node-api-headers').include_dir\")",
        "<!@(pkg-config --cflags-only-I openssl | sed s/-I//g)"
      ],
      "libraries": ["<!@(pkg-config --libs openssl)"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS", "OPENSSL_API_COMPAT=30000", "OPENSSL_NO_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-Wall", "-Wextra", "-fvisibility=hidden"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-idirafter", "<(node_root_dir)/include/node"]
    }
  ]
}

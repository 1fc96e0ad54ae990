{
  "targets": [
    {
      "target_name": "openssl_tls",
      "sources": [
        "native/addon.cc",
        "native/errors.cc",
        "native/x509.cc",
        "native/host_check.cc",
        "native/x509_fields.cc",
        "native/secure_context.cc",
        "native/context_loading.cc",
        "native/connection.cc",
        "native/tls_engine.cc",
        "native/tls_engine_callbacks.cc",
        "native/connection_link.cc",
        "native/tcp_link.cc",
        "native/tcp_listener.cc",
        "native/loop_js.cc",
        "native/connection_alpn.cc",
        "native/connection_ocsp.cc",
        "native/connection_trace.cc",
        "native/connection_offload.cc",
        "native/connection_session.cc",
        "native/connection_psk.cc",
        "native/connection_reneg.cc",
        "native/context_callbacks.cc"
      ],
      "include_dirs!": [
        "<(node_root_dir)/include/node",
        "<(node_root_dir)/deps/openssl/config",
        "<(node_root_dir)/deps/openssl/openssl/include"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!(node -p \"require('node-api-headers').include_dir\")",
        "<!@(pkg-config --cflags-only-I openssl | sed s/-I//g)"
      ],
      "libraries": ["<!@(pkg-config --libs openssl)"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "OPENSSL_API_COMPAT=30000", "OPENSSL_NO_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-Wall", "-Wextra", "-fvisibility=hidden"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-idirafter", "<(node_root_dir)/include/node"]
    }
  ]
}

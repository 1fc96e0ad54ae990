# The addon's sources, listed once. node-gyp reads this file through
# binding.gyp ('includes'); CMake parses it (native/sources.cmake) for
# CMakeLists.txt and native/fuzz/CMakeLists.txt. Paths are relative to the
# repository root. Keep one quoted path per line: CMake reads the lists with a
# regular expression, not a gyp parser.
{
  'variables': {
    # OpenSSL only: no N-API, no libuv (scripts/check-layers.sh).
    'otls_core_sources': [
      'native/context_callbacks.cc',
      'native/context_loading.cc',
      'native/tls_engine.cc',
      'native/tls_engine_callbacks.cc',
      'native/x509_fields.cc',
    ],
    # libuv over the core: no N-API.
    'otls_transport_sources': [
      'native/tcp_link.cc',
    ],
    # N-API over both.
    'otls_binding_sources': [
      'native/addon.cc',
      'native/connection.cc',
      'native/connection_alpn.cc',
      'native/connection_link.cc',
      'native/connection_ocsp.cc',
      'native/connection_offload.cc',
      'native/connection_psk.cc',
      'native/connection_reneg.cc',
      'native/connection_session.cc',
      'native/connection_trace.cc',
      'native/errors.cc',
      'native/host_check.cc',
      'native/loop_js.cc',
      'native/secure_context.cc',
      'native/tcp_listener.cc',
      'native/x509.cc',
    ],
  },
}

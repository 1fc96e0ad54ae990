# The addon's sources, listed once. node-gyp reads this file through
# binding.gyp ('includes'); CMake parses it (native/sources.cmake) for
# CMakeLists.txt and native/fuzz/CMakeLists.txt. Paths are relative to the
# repository root. Keep one quoted path per line: CMake reads the lists with a
# regular expression, not a gyp parser.
{
  'variables': {
    # OpenSSL only: no N-API, no libuv (scripts/check-layers.sh).
    'otls_core_sources': [
      'native/core/byte_queue.cc',
      'native/core/context_callbacks.cc',
      'native/core/context_loading.cc',
      'native/core/engine_keys.cc',
      'native/core/engine_step.cc',
      'native/core/host_check.cc',
      'native/core/read_buffer.cc',
      'native/core/root_store.cc',
      'native/core/ssl_conf.cc',
      'native/core/store_keys.cc',
      'native/core/system_config.cc',
      'native/core/ticket_keys.cc',
      'native/core/tls_engine.cc',
      'native/core/tls_engine_callbacks.cc',
      'native/core/tls_engine_input.cc',
      'native/core/x509_fields.cc',
    ],
    # libuv over the core: no N-API.
    'otls_transport_sources': [
      'native/transport/cleartext_relay.cc',
      'native/transport/pool_step.cc',
      'native/transport/tcp_link.cc',
    ],
    # N-API over both.
    'otls_binding_sources': [
      'native/binding/addon.cc',
      'native/binding/cleartext.cc',
      'native/binding/connection.cc',
      'native/binding/connection_alpn.cc',
      'native/binding/connection_link.cc',
      'native/binding/connection_ocsp.cc',
      'native/binding/connection_offload.cc',
      'native/binding/connection_psk.cc',
      'native/binding/connection_reneg.cc',
      'native/binding/connection_identity.cc',
      'native/binding/connection_session.cc',
      'native/binding/connection_trace.cc',
      'native/binding/connection_write.cc',
      'native/binding/env_teardown.cc',
      'native/binding/errors.cc',
      'native/binding/loop_js.cc',
      'native/binding/openssl_info.cc',
      'native/binding/secure_context.cc',
      'native/binding/tcp_listener.cc',
      'native/binding/x509.cc',
    ],
  },
}

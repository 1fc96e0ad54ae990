// Module entry: registers the classes and module-level functions of
// typings/native.d.ts.
#include <napi.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "binding/addon_data.h"
#include "binding/connection.h"
#include "binding/env_teardown.h"
#include "binding/errors.h"
#include "binding/openssl_info.h"
#include "binding/secure_context.h"
#include "binding/tcp_listener.h"
#include "binding/x509.h"
#include "core/engine_keys.h"
#include "core/host_check.h"
#include "core/narrow.h"
#include "core/ossl.h"
#include "core/tls_engine.h"

namespace otls {

AddonData& GetAddonData(Napi::Env env) {
  AddonData* data = env.GetInstanceData<AddonData>();
  if (data == nullptr) {
    auto owned = std::make_unique<AddonData>();
    data = owned.get();
    env.SetInstanceData<AddonData>(owned.release());
  }
  return *data;
}

namespace {

// "OPENSSLDIR: \"/usr/lib/ssl\"" -> "/usr/lib/ssl"
std::string OpenSSLDir() {
  std::string s = OpenSSL_version(OPENSSL_DIR);
  size_t a = s.find('"');
  size_t b = s.rfind('"');
  if (a != std::string::npos && b != std::string::npos && b > a) return s.substr(a + 1, b - a - 1);
  return s;
}

Napi::Value CertificateToObjectJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  if (!info[0].IsBuffer()) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"der\" argument must be an instance of Buffer");
  }
  auto buf = info[0].As<Napi::Buffer<unsigned char>>();
  const unsigned char* p = buf.Data();
  X509Ptr cert(d2i_X509(nullptr, &p, SaturatedCast<long>(buf.Length())));
  if (!cert) ThrowFromQueue(env, "Failed to parse certificate");
  return CertificateToObject(env, cert.get());
}

// certificateNamesHost(der, host): the default identity check's fast path
// (native/core/host_check.h).
Napi::Value CertificateNamesHostJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  if (!info[0].IsBuffer()) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"der\" argument must be an instance of Buffer");
  }
  if (!info[1].IsString()) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"host\" argument must be of type string");
  }
  auto der = info[0].As<Napi::Buffer<unsigned char>>();
  std::string host = info[1].As<Napi::String>().Utf8Value();
  return Napi::Boolean::New(env, CertificateSurelyNamesHost(der.Data(), der.Length(), host));
}

// sessionTicket(der): the ticket a serialized session carries (undefined: none).
// A client's 'session' handler asks getTLSTicket() of the session it is given.
Napi::Value SessionTicketJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  if (!info[0].IsBuffer()) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"session\" argument must be an instance of Buffer");
  }
  auto der = info[0].As<Napi::Buffer<unsigned char>>();
  const unsigned char* p = der.Data();
  SslSessionPtr session(d2i_SSL_SESSION(nullptr, &p, SaturatedCast<long>(der.Length())));
  if (!session || SSL_SESSION_has_ticket(session.get()) != 1) return env.Undefined();
  const unsigned char* ticket = nullptr;
  size_t len = 0;
  SSL_SESSION_get0_ticket(session.get(), &ticket, &len);
  if (ticket == nullptr || len == 0) return env.Undefined();
  return Napi::Buffer<unsigned char>::Copy(env, ticket, len);
}

// How many errors sat on this thread's OpenSSL error queue; empties it. Tests
// call it after every kind of call: the answer must always be 0.
Napi::Value ErrorQueueLength(const Napi::CallbackInfo& info) {
  uint32_t n = 0;
  while (ERR_get_error() != 0) ++n;
  return Napi::Number::New(info.Env(), n);
}

Napi::Value PoolHandshakeStepsJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(PoolHandshakeSteps()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Object versions = Napi::Object::New(env);
  versions.Set("openssl", OpenSSL_version(OPENSSL_VERSION));
  // The headers this addon was compiled against (the system's, not Node's copy).
  versions.Set("opensslHeaders", OPENSSL_VERSION_TEXT);
  versions.Set("opensslNumber", Napi::Number::New(env, static_cast<double>(OpenSSL_version_num())));
  exports.Set("versions", versions);
  exports.Set("opensslDir", OpenSSLDir());

  Napi::Object status = Napi::Object::New(env);
  static constexpr std::pair<const char*, uint32_t> kStatusBits[] = {
      {"HANDSHAKE_DONE", kHandshakeDone},
      {"RENEGOTIATION_STARTED", kRenegotiationStarted},
      {"PEER_CLOSED", kPeerClosed},
      {"ERROR", kError},
      {"PAUSED", kPaused},
      {"SHUTDOWN_SENT", kShutdownSent},
      {"WRITE_PENDING", kWritePending},
      {"TRANSPORT_END", kTransportEnd},
      {"TRANSPORT_ERROR", kTransportError},
      {"WRITES_DONE", kWritesDone},
      {"SHUTDOWN_DONE", kShutdownDone},
      {"HANDSHAKE_TIMEOUT", kHandshakeTimeout},
      {"WRITE_QUEUED", kWriteQueued},
      {"OUTPUT_HELD", kOutputHeld},
      {"RELAY_END", kRelayEnd},
  };
  for (const auto& [name, bit] : kStatusBits) status.Set(name, Napi::Number::New(env, bit));
  exports.Set("status", status);

  Napi::Object protos = Napi::Object::New(env);
  protos.Set("TLSv1", Napi::Number::New(env, TLS1_VERSION));
  protos.Set("TLSv1.1", Napi::Number::New(env, TLS1_1_VERSION));
  protos.Set("TLSv1.2", Napi::Number::New(env, TLS1_2_VERSION));
  protos.Set("TLSv1.3", Napi::Number::New(env, TLS1_3_VERSION));
  exports.Set("protocolVersions", protos);

  Napi::Object ops = Napi::Object::New(env);
#define OTLS_OP(name) ops.Set(#name, Napi::BigInt::New(env, static_cast<uint64_t>(name)));
  OTLS_OP(SSL_OP_ALL)
  OTLS_OP(SSL_OP_ALLOW_NO_DHE_KEX)
  OTLS_OP(SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION)
  OTLS_OP(SSL_OP_ALLOW_CLIENT_RENEGOTIATION)
  OTLS_OP(SSL_OP_CIPHER_SERVER_PREFERENCE)
  OTLS_OP(SSL_OP_CISCO_ANYCONNECT)
  OTLS_OP(SSL_OP_COOKIE_EXCHANGE)
  OTLS_OP(SSL_OP_CRYPTOPRO_TLSEXT_BUG)
  OTLS_OP(SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS)
  OTLS_OP(SSL_OP_ENABLE_MIDDLEBOX_COMPAT)
  OTLS_OP(SSL_OP_IGNORE_UNEXPECTED_EOF)
  OTLS_OP(SSL_OP_LEGACY_SERVER_CONNECT)
  OTLS_OP(SSL_OP_NO_COMPRESSION)
  OTLS_OP(SSL_OP_NO_ENCRYPT_THEN_MAC)
  OTLS_OP(SSL_OP_NO_QUERY_MTU)
  OTLS_OP(SSL_OP_NO_RENEGOTIATION)
  OTLS_OP(SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION)
  OTLS_OP(SSL_OP_NO_SSLv2)
  OTLS_OP(SSL_OP_NO_SSLv3)
  OTLS_OP(SSL_OP_NO_TICKET)
  OTLS_OP(SSL_OP_NO_TLSv1)
  OTLS_OP(SSL_OP_NO_TLSv1_1)
  OTLS_OP(SSL_OP_NO_TLSv1_2)
  OTLS_OP(SSL_OP_NO_TLSv1_3)
  OTLS_OP(SSL_OP_PRIORITIZE_CHACHA)
  OTLS_OP(SSL_OP_TLS_ROLLBACK_BUG)
  OTLS_OP(SSL_OP_NO_ANTI_REPLAY)
  OTLS_OP(SSL_OP_ENABLE_KTLS)
#undef OTLS_OP
  exports.Set("sslOptions", ops);

  WatchEnvTeardown(env);
  exports.Set("SecureContext", SecureContext::Init(env));
  exports.Set("Connection", Connection::Init(env));
  exports.Set("TcpListener", TcpListener::Init(env));
  Napi::Object features = ExtensionFeatures(env);
  features.Set("engine", EnginesSupported());
#ifdef OTLS_STATIC_OPENSSL
  features.Set("staticOpenSSL", true);  // the ASan build's own copy (CMakeLists.txt)
#else
  features.Set("staticOpenSSL", false);
#endif
  exports.Set("features", features);
  exports.Set("getCiphers", Napi::Function::New(env, GetCiphers, "getCiphers"));
  exports.Set("getRootCertificates", Napi::Function::New(env, GetRootCertificates, "getRootCertificates"));
  exports.Set("certificateToObject", Napi::Function::New(env, CertificateToObjectJs, "certificateToObject"));
  exports.Set("certificateNamesHost", Napi::Function::New(env, CertificateNamesHostJs, "certificateNamesHost"));
  exports.Set("sessionTicket", Napi::Function::New(env, SessionTicketJs, "sessionTicket"));
  exports.Set("errorQueueLength", Napi::Function::New(env, ErrorQueueLength, "errorQueueLength"));
  exports.Set("poolHandshakeSteps", Napi::Function::New(env, PoolHandshakeStepsJs, "poolHandshakeSteps"));
  exports.Set("systemDefaults", Napi::Function::New(env, SystemDefaultsJs, "systemDefaults"));
  exports.Set("cipherNames", Napi::Function::New(env, CipherNamesJs, "cipherNames"));
  exports.Set("setEngine", Napi::Function::New(env, SetEngineJs, "setEngine"));
  exports.Set("providers", Napi::Function::New(env, ProvidersJs, "providers"));
  exports.Set("socketPair", Napi::Function::New(env, SocketPairJs, "socketPair"));
  return exports;
}

}  // namespace
}  // namespace otls

Napi::Object InitAll(Napi::Env env, Napi::Object exports) { return otls::Init(env, exports); }

NODE_API_MODULE(openssl_tls, InitAll)

// Application protocol negotiation on a Connection: ALPN (both sides, and the
// server's ALPNCallback answering a ClientHello pause) and NPN (TLS 1.2 only;
// node:tls dropped it, the system OpenSSL still has it).
//
// The protocol lists arrive in wire format (each name preceded by its length),
// already validated by lib/alpn.ts, and are checked again here. OpenSSL's
// selection callbacks (core/tls_engine_callbacks.cc) only read what JS decided
// earlier (the lists, or the ALPNCallback's answer given with resume()).
#include <openssl/ssl.h>

#include <cstring>
#include <string>

#include "binding/connection.h"
#include "binding/errors.h"

namespace otls {

namespace {

// True when `list` is a well-formed, non-empty wire-format protocol list.
bool IsWireList(const std::string& list) {
  if (list.empty()) return false;
  size_t i = 0;
  while (i < list.size()) {
    size_t n = static_cast<unsigned char>(list[i]);
    if (n == 0 || i + 1 + n > list.size()) return false;
    i += 1 + n;
  }
  return true;
}

// A protocol list option: a Buffer in wire format, or nothing.
std::string WireListOption(Napi::Env env, Napi::Object options, const char* name) {
  Napi::Value v = options.Get(name);
  if (v.IsUndefined() || v.IsNull()) return "";
  if (!v.IsBuffer()) throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", std::string(name) + " must be a Buffer");
  auto buf = v.As<Napi::Buffer<char>>();
  std::string list(buf.Data(), buf.Length());
  if (!list.empty() && !IsWireList(list)) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_VALUE", std::string(name) + " is not a valid protocol list");
  }
  return list;
}

// A negotiated protocol as node:tls shows it: one character per byte (latin1).
Napi::Value ProtocolValue(Napi::Env env, const unsigned char* data, unsigned int len) {
  if (data == nullptr || len == 0) return Napi::Boolean::New(env, false);
  napi_value value = nullptr;
  napi_status status = napi_create_string_latin1(env, reinterpret_cast<const char*>(data), len, &value);
  NAPI_THROW_IF_FAILED(env, status, Napi::Value());
  return Napi::Value(env, value);
}

}  // namespace

void Connection::ReadProtocolOptions(Napi::Env env, Napi::Object options, EngineOptions* out) {
  out->alpn_protocols = WireListOption(env, options, "alpnProtocols");
  out->npn_protocols = WireListOption(env, options, "npnProtocols");
#ifdef OPENSSL_NO_NEXTPROTONEG
  if (!out->npn_protocols.empty()) {
    throw CodedError(env, "ERR_TLS_NPN_UNSUPPORTED", "NPN is not supported by this OpenSSL (built without it)");
  }
#endif
}

void Connection::ApplyAlpnAnswer(Napi::Object answer) {
  Napi::Value alpn = answer.Get("alpn");
  if (alpn.IsBuffer()) {
    auto buf = alpn.As<Napi::Buffer<char>>();
    engine()->ChooseAlpn(std::string(buf.Data(), buf.Length()));
  } else if (alpn.IsBoolean() && !alpn.As<Napi::Boolean>().Value()) {
    engine()->RefuseAlpn();
  }
}

Napi::Value Connection::GetALPNProtocol(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(engine()->ssl(), &data, &len);
  return ProtocolValue(env, data, len);
}

Napi::Value Connection::GetNPNProtocol(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SSL* ssl = engine()->ssl();
#ifdef OPENSSL_NO_NEXTPROTONEG
  (void)ssl;
  return Napi::Boolean::New(env, false);
#else
  if (!engine()->is_server() && !engine()->npn_matched()) {
    return Napi::Boolean::New(env, false);
  }
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_next_proto_negotiated(ssl, &data, &len);
  return ProtocolValue(env, data, len);
#endif
}

}  // namespace otls

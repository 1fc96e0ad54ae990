// Application protocol negotiation on a Connection: ALPN (both sides, and the
// server's ALPNCallback answering a ClientHello pause) and NPN (TLS 1.2 only;
// node:tls dropped it, the system OpenSSL still has it).
//
// The protocol lists arrive in wire format (each name preceded by its length),
// already validated by lib/alpn.ts. OpenSSL's selection callbacks run inside
// the handshake: they only read what JS decided earlier (the lists, or the
// ALPNCallback's answer given with resume()) and never call JS.
#include <openssl/ssl.h>

#include <cstring>
#include <string>

#include "connection.h"
#include "context_callbacks.h"
#include "errors.h"

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

void Connection::SetupProtocolNegotiation(Napi::Env env, Napi::Object options) {
  SSL* ssl = ssl_.get();
  alpn_protocols_ = WireListOption(env, options, "alpnProtocols");
  // A client offers its list now; a server chooses from it in OnAlpnSelect.
  if (!is_server_ && !alpn_protocols_.empty()) {
    // SSL_set_alpn_protos returns 0 on success.
    if (SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(alpn_protocols_.data()),
                            static_cast<unsigned int>(alpn_protocols_.size())) != 0) {
      ThrowFromQueue(env, "Invalid ALPN protocol list");
    }
  }
  npn_protocols_ = WireListOption(env, options, "npnProtocols");
  if (!npn_protocols_.empty()) {
#ifdef OPENSSL_NO_NEXTPROTONEG
    throw CodedError(env, "ERR_TLS_NPN_UNSUPPORTED", "NPN is not supported by this OpenSSL (built without it)");
#else
    // A client only offers NPN when its context has a select callback, so it is
    // put on the context of the clients that ask for NPN (the server's advertise
    // callback is on every context and stays silent without a list).
    if (!is_server_) InstallNpnClientCallback(SSL_get_SSL_CTX(ssl));
#endif
  }
}

void Connection::ApplyAlpnAnswer(Napi::Object answer) {
  Napi::Value alpn = answer.Get("alpn");
  if (alpn.IsBuffer()) {
    auto buf = alpn.As<Napi::Buffer<char>>();
    alpn_answer_ = AlpnAnswer::kChosen;
    alpn_chosen_.assign(buf.Data(), buf.Length());
  } else if (alpn.IsBoolean() && !alpn.As<Napi::Boolean>().Value()) {
    alpn_answer_ = AlpnAnswer::kRefused;
  }
}

int Connection::OnAlpnSelect(const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                             unsigned int inlen) noexcept {
  if (alpn_answer_ == AlpnAnswer::kRefused) return SSL_TLSEXT_ERR_ALERT_FATAL;
  if (alpn_answer_ == AlpnAnswer::kChosen) {
    // The ALPNCallback's choice, found in the client's list (OpenSSL copies it).
    unsigned int i = 0;
    while (i < inlen) {
      unsigned int n = in[i];
      if (i + 1 + n > inlen) break;
      if (n == alpn_chosen_.size() && std::memcmp(in + i + 1, alpn_chosen_.data(), n) == 0) {
        *out = in + i + 1;
        *outlen = static_cast<unsigned char>(n);
        return SSL_TLSEXT_ERR_OK;
      }
      i += 1 + n;
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  if (alpn_protocols_.empty()) return SSL_TLSEXT_ERR_NOACK;
  // Our preference first, as node:tls; no common protocol is a fatal
  // no_application_protocol alert (RFC 7301 3.2).
  unsigned char* selected = nullptr;
  int r = SSL_select_next_proto(&selected, outlen, reinterpret_cast<const unsigned char*>(alpn_protocols_.data()),
                                static_cast<unsigned int>(alpn_protocols_.size()), in, inlen);
  if (r != OPENSSL_NPN_NEGOTIATED || selected == nullptr) return SSL_TLSEXT_ERR_ALERT_FATAL;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

int Connection::OnNpnAdvertise(const unsigned char** out, unsigned int* outlen) noexcept {
  if (npn_protocols_.empty()) return SSL_TLSEXT_ERR_NOACK;
  *out = reinterpret_cast<const unsigned char*>(npn_protocols_.data());
  *outlen = static_cast<unsigned int>(npn_protocols_.size());
  return SSL_TLSEXT_ERR_OK;
}

int Connection::OnNpnSelect(unsigned char** out, unsigned char* outlen, const unsigned char* in,
                            unsigned int inlen) noexcept {
#ifdef OPENSSL_NO_NEXTPROTONEG
  (void)out;
  (void)outlen;
  (void)in;
  (void)inlen;
  return SSL_TLSEXT_ERR_ALERT_FATAL;
#else
  if (npn_protocols_.empty()) {
    // A client of a shared context that did not ask for NPN must still pick
    // one (RFC draft: any of the server's): the server's first.
    if (inlen < 2 || in[0] == 0 || 1u + in[0] > inlen) return SSL_TLSEXT_ERR_ALERT_FATAL;
    *out = const_cast<unsigned char*>(in + 1);
    *outlen = in[0];
    return SSL_TLSEXT_ERR_OK;
  }
  // Our preference among the server's; without overlap NPN picks our first
  // (the server learns it; npnProtocol says false, as node:tls did).
  int r = SSL_select_next_proto(out, outlen, in, inlen, reinterpret_cast<const unsigned char*>(npn_protocols_.data()),
                                static_cast<unsigned int>(npn_protocols_.size()));
  npn_no_overlap_ = r != OPENSSL_NPN_NEGOTIATED;
  if (*out == nullptr || *outlen == 0) return SSL_TLSEXT_ERR_ALERT_FATAL;
  return SSL_TLSEXT_ERR_OK;
#endif
}

Napi::Value Connection::GetALPNProtocol(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(Require(env), &data, &len);
  return ProtocolValue(env, data, len);
}

Napi::Value Connection::GetNPNProtocol(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL* ssl = Require(env);
#ifdef OPENSSL_NO_NEXTPROTONEG
  (void)ssl;
  return Napi::Boolean::New(env, false);
#else
  if (!is_server_ && (npn_no_overlap_ || npn_protocols_.empty())) return Napi::Boolean::New(env, false);
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_next_proto_negotiated(ssl, &data, &len);
  return ProtocolValue(env, data, len);
#endif
}

}  // namespace otls

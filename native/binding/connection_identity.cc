// What names and proves each side of a Connection, set or read after it is
// made: node:tls's setServername(), setSession() and setKeyCert(), and the
// certificate chain the peer sent (getPeerX509Certificate() links it).
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <string>

#include "binding/connection.h"
#include "binding/errors.h"
#include "binding/secure_context.h"
#include "binding/x509.h"
#include "core/narrow.h"
#include "core/ossl.h"

namespace otls {

// setServername(name): the SNI a client sends (before its handshake starts).
void Connection::SetServername(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "name must be a string");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  if (SSL_set_tlsext_host_name(engine()->ssl(), name.c_str()) != 1) {
    ThrowFromQueue(env, "Failed to set the server name");
  }
}

// setSession(der): a client resumes this session. As node:tls, bytes that are
// no session are ignored.
void Connection::SetSession(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsBuffer()) throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "Session must be a buffer");
  auto der = info[0].As<Napi::Buffer<unsigned char>>();
  const unsigned char* p = der.Data();
  SslSessionPtr session(d2i_SSL_SESSION(nullptr, &p, SaturatedCast<long>(der.Length())));
  if (!session) return;
  if (SSL_set_session(engine()->ssl(), session.get()) != 1) ThrowFromQueue(env, "SSL_set_session error");
}

// setKeyCert(context): a server answers with that context's certificate, key
// and chain (the rest of its own context stays), e.g. from an ALPNCallback. A
// client's call does nothing, as in node:tls.
void Connection::SetKeyCert(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SSL_CTX* ctx = SecureContext::FromValue(env, info[0])->ctx();
  TlsEngine* engine = this->engine();
  if (!engine->is_server()) return;
  X509* cert = SSL_CTX_get0_certificate(ctx);
  EVP_PKEY* key = SSL_CTX_get0_privatekey(ctx);
  if (cert == nullptr || key == nullptr) {
    throw CodedError(env, "ERR_INVALID_ARG_VALUE", "The context has no certificate and key to use");
  }
  STACK_OF(X509)* chain = nullptr;
  (void)SSL_CTX_get0_chain_certs(ctx, &chain);
  if (SSL_use_cert_and_key(engine->ssl(), cert, key, chain, 1) != 1) {
    ThrowFromQueue(env, "Failed to use the certificate and key");
  }
}

// getPeerCertificateChainDer(): the certificates the peer sent, its own first
// (a server's view of the client leaves it out of the stack: it is put first).
Napi::Value Connection::GetPeerCertificateChainDer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SSL* ssl = engine()->ssl();
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  X509* leaf = SSL_get0_peer_certificate(ssl);
  if (leaf == nullptr) return out;
  STACK_OF(X509)* sent = SSL_get_peer_cert_chain(ssl);
  const int count = sent == nullptr ? 0 : sk_X509_num(sent);
  if (engine()->is_server() || count == 0) out.Set(n++, CertificateDer(env, leaf));
  for (int i = 0; i < count; i++) out.Set(n++, CertificateDer(env, sk_X509_value(sent, i)));
  return out;
}

}  // namespace otls

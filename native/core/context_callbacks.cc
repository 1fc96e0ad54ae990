#include "core/context_callbacks.h"

#include "core/tls_engine.h"

namespace otls {

namespace {

// Each trampoline is noexcept: no C++ exception may unwind through OpenSSL.

int ClientHelloCallback(SSL* ssl, int* alert, void* /*arg*/) noexcept {
  TlsEngine* c = TlsEngine::From(ssl);
  return c == nullptr ? SSL_CLIENT_HELLO_SUCCESS : c->OnClientHello(ssl, alert);
}

SSL_SESSION* GetSessionCallback(SSL* ssl, const unsigned char* id, int len, int* copy) noexcept {
  TlsEngine* c = TlsEngine::From(ssl);
  *copy = 0;
  return c == nullptr ? nullptr : c->OnGetSession(id, len, copy);
}

int NewSessionCallback(SSL* ssl, SSL_SESSION* session) noexcept {
  TlsEngine* c = TlsEngine::From(ssl);
  return c == nullptr ? 0 : c->OnNewSession(session);
}

void KeylogCallback(const SSL* ssl, const char* line) noexcept {
  TlsEngine* c = TlsEngine::From(ssl);
  if (c != nullptr) c->OnKeylog(line);
}

int AlpnSelectCallback(SSL* ssl, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                       unsigned int inlen, void* /*arg*/) noexcept {
  TlsEngine* c = TlsEngine::From(ssl);
  return c == nullptr ? SSL_TLSEXT_ERR_NOACK : c->OnAlpnSelect(out, outlen, in, inlen);
}

// OCSP stapling: a server staples what JS gave; a client records what came.
int StatusCallback(SSL* ssl, void* /*arg*/) noexcept {
  TlsEngine* c = TlsEngine::From(ssl);
  if (c == nullptr) return SSL_is_server(ssl) ? SSL_TLSEXT_ERR_NOACK : 1;
  return c->OnStatus(ssl);
}

#ifndef OPENSSL_NO_NEXTPROTONEG
int NpnAdvertiseCallback(SSL* ssl, const unsigned char** out, unsigned int* outlen, void* /*arg*/) noexcept {
  TlsEngine* c = TlsEngine::From(ssl);
  return c == nullptr ? SSL_TLSEXT_ERR_NOACK : c->OnNpnAdvertise(out, outlen);
}

int NpnSelectCallback(SSL* ssl, unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
                      void* /*arg*/) noexcept {
  TlsEngine* c = TlsEngine::From(ssl);
  return c == nullptr ? SSL_TLSEXT_ERR_ALERT_FATAL : c->OnNpnSelect(out, outlen, in, inlen);
}
#endif

}  // namespace

void InstallConnectionCallbacks(SSL_CTX* ctx) {
  SSL_CTX_set_client_hello_cb(ctx, ClientHelloCallback, nullptr);
  SSL_CTX_sess_set_get_cb(ctx, GetSessionCallback);
  SSL_CTX_sess_set_new_cb(ctx, NewSessionCallback);
  SSL_CTX_set_alpn_select_cb(ctx, AlpnSelectCallback, nullptr);
  SSL_CTX_set_tlsext_status_cb(ctx, StatusCallback);
#ifndef OPENSSL_NO_NEXTPROTONEG
  // Silent unless the server connection has an NPN list. (The client's select
  // callback makes every client offer NPN: InstallNpnClientCallback.)
  SSL_CTX_set_next_protos_advertised_cb(ctx, NpnAdvertiseCallback, nullptr);
#endif
  // The new-session callback fires on a client only with client caching on.
  // OpenSSL stores nothing itself: a server connection puts its sessions in the
  // cache (TlsEngine::CacheServerSession), a client's are only reported.
  SSL_CTX_set_session_cache_mode(
      ctx, SSL_CTX_get_session_cache_mode(ctx) | SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
}

void EnableKeylogCallback(SSL_CTX* ctx) {
  if (SSL_CTX_get_keylog_callback(ctx) != KeylogCallback) SSL_CTX_set_keylog_callback(ctx, KeylogCallback);
}

void InstallNpnClientCallback(SSL_CTX* ctx) {
#ifndef OPENSSL_NO_NEXTPROTONEG
  SSL_CTX_set_next_proto_select_cb(ctx, NpnSelectCallback, nullptr);
#else
  (void)ctx;
#endif
}

}  // namespace otls

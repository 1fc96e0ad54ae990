#include "context_callbacks.h"

#include "connection.h"

namespace otls {

namespace {

// Each trampoline is noexcept: no C++ exception may unwind through OpenSSL.

int ClientHelloCallback(SSL* ssl, int* alert, void* /*arg*/) noexcept {
  Connection* c = Connection::From(ssl);
  return c == nullptr ? SSL_CLIENT_HELLO_SUCCESS : c->OnClientHello(ssl, alert);
}

SSL_SESSION* GetSessionCallback(SSL* ssl, const unsigned char* id, int len, int* copy) noexcept {
  Connection* c = Connection::From(ssl);
  *copy = 0;
  return c == nullptr ? nullptr : c->OnGetSession(id, len, copy);
}

int NewSessionCallback(SSL* ssl, SSL_SESSION* session) noexcept {
  Connection* c = Connection::From(ssl);
  return c == nullptr ? 0 : c->OnNewSession(session);
}

void KeylogCallback(const SSL* ssl, const char* line) noexcept {
  Connection* c = Connection::From(ssl);
  if (c != nullptr) c->OnKeylog(line);
}

}  // namespace

void InstallConnectionCallbacks(SSL_CTX* ctx) {
  SSL_CTX_set_client_hello_cb(ctx, ClientHelloCallback, nullptr);
  SSL_CTX_sess_set_get_cb(ctx, GetSessionCallback);
  SSL_CTX_sess_set_new_cb(ctx, NewSessionCallback);
  SSL_CTX_set_keylog_callback(ctx, KeylogCallback);
  // The new-session callback fires on a client only with client caching on.
  SSL_CTX_set_session_cache_mode(ctx, SSL_CTX_get_session_cache_mode(ctx) | SSL_SESS_CACHE_CLIENT);
}

}  // namespace otls

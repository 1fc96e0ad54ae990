// Sessions on a Connection: the ticket a client holds, turning session reports
// on once a 'session' listener appears, and the server's own session cache.
//
// The server's cache: the SSL_CTX runs with SSL_SESS_CACHE_NO_INTERNAL_STORE
// (context_callbacks.cc), so OpenSSL never stores a session by itself; a client
// context would otherwise keep every session it was ever given. A server
// connection stores the sessions it makes here instead, in the context it was
// created with (where OpenSSL looks sessions up), unless JS takes them with
// newSession, in which case the user's store is the only one (as in node:tls).
#include <openssl/ssl.h>

#include "connection.h"

namespace otls {

void Connection::CacheServerSession(SSL_SESSION* session) noexcept {
  if (!is_server_ || session_ctx_ == nullptr || !ssl_) return;
  SSL* ssl = ssl_.get();
  const uint64_t options = SSL_get_options(ssl);
  const bool tls13 = SSL_version(ssl) >= TLS1_3_VERSION;
  // TLS 1.3 tickets are stateless unless tickets are off (then a ticket is a
  // session id) or early data needs replay protection (a ticket works once, so
  // OpenSSL must find it, and then removes it, in the cache).
  const bool anti_replay = tls13 && SSL_get_max_early_data(ssl) > 0 && (options & SSL_OP_NO_ANTI_REPLAY) == 0;
  const bool stateful = !tls13 || (options & SSL_OP_NO_TICKET) != 0;
  if (anti_replay || (stateful && !report_sessions_)) {
    // Takes its own reference; a full cache drops its oldest entry.
    (void)SSL_CTX_add_session(session_ctx_, session);
  }
}

Napi::Value Connection::GetTLSTicket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL* ssl = Require(env);
  // A server's sessions carry no ticket (node:tls: always undefined there).
  if (is_server_) return env.Undefined();
  SSL_SESSION* session = SSL_get_session(ssl);
  if (session == nullptr || SSL_SESSION_has_ticket(session) != 1) return env.Undefined();
  const unsigned char* ticket = nullptr;
  size_t len = 0;
  SSL_SESSION_get0_ticket(session, &ticket, &len);
  if (ticket == nullptr || len == 0) return env.Undefined();
  return Napi::Buffer<unsigned char>::Copy(env, ticket, len);
}

void Connection::SetReportSessions(const Napi::CallbackInfo& info) {
  // Allowed after destroy() too: it only decides what later calls report.
  report_sessions_ = info[0].ToBoolean();
}

}  // namespace otls

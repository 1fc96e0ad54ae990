// Sessions on a Connection: the ticket a client holds, turning session reports
// on once a 'session' listener appears, and TLS 1.3 early data sent with one. (The server's own session cache
// is the engine's: TlsEngine::CacheServerSession in tls_engine_callbacks.cc.)
#include <openssl/ssl.h>

#include "binding/connection.h"

namespace otls {

Napi::Value Connection::GetTLSTicket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SSL* ssl = engine()->ssl();
  // A server's sessions carry no ticket (node:tls: always undefined there).
  if (engine()->is_server()) return env.Undefined();
  SSL_SESSION* session = SSL_get_session(ssl);
  if (session == nullptr || SSL_SESSION_has_ticket(session) != 1) return env.Undefined();
  const unsigned char* ticket = nullptr;
  size_t len = 0;
  SSL_SESSION_get0_ticket(session, &ticket, &len);
  if (ticket == nullptr || len == 0) return env.Undefined();
  return Napi::Buffer<unsigned char>::Copy(env, ticket, len);
}

Napi::Value Connection::IsEarlyDataAccepted(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), engine()->early_data_accepted());
}

void Connection::SetReportSessions(const Napi::CallbackInfo& info) {
  // Allowed after destroy() too: it only decides what later calls report.
  if (TlsEngine* e = engine()) e->set_report_sessions(info[0].ToBoolean());
}

}  // namespace otls

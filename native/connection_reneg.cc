// TLS 1.2 renegotiation on a Connection: starting one (renegotiate()). The
// rest is reported by InfoCallback (connection.cc) with each call's result:
// RENEGOTIATION_STARTED for every handshake after the first, HANDSHAKE_DONE
// when one completes, and peerRenegotiations for the ones the peer started
// (what lib/renegotiation.ts limits). Policy lives in TypeScript.
#include <openssl/ssl.h>

#include "connection.h"
#include "errors.h"

namespace otls {

Napi::Value Connection::Renegotiate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL* ssl = Require(env);
  RejectReentry(env);
  if (!handshake_done_ || failed_) {
    throw CodedError(env, "ERR_TLS_RENEGOTIATE", "Attempt to renegotiate TLS session failed");
  }
  Napi::Object options = info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(env);
  if (is_server_) {
    Napi::Value request = options.Get("requestCert");
    if (request.IsBoolean()) {
      int mode = SSL_VERIFY_NONE;
      if (request.As<Napi::Boolean>().Value()) {
        mode = SSL_VERIFY_PEER;
        if (options.Get("rejectUnauthorized").ToBoolean()) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      }
      // Keep the verify callback the connection was made with.
      SSL_set_verify(ssl, mode, SSL_get_verify_callback(ssl));
    }
    // A client answering with a resumption would skip the certificate
    // exchange, so the server asks for a full handshake.
    SSL_set_options(ssl, SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
  }
  // TLS 1.3 has no renegotiation: OpenSSL refuses (ERR_SSL_WRONG_SSL_VERSION).
  if (SSL_renegotiate(ssl) != 1) ThrowFromQueue(env, "Attempt to renegotiate TLS session failed");

  // The next read sends the HelloRequest (server) or ClientHello (client):
  // the handshake is driven by SSL_read, which alone lets the peer's
  // application data through while it runs.
  Cycle cycle;
  Advance(env, &cycle);
  return Finish(env, &cycle);
}

}  // namespace otls

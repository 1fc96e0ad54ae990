// TLS 1.2 renegotiation on a Connection: starting one (renegotiate()). The
// rest is reported by the engine's InfoCallback (tls_engine.cc) with each call's result:
// RENEGOTIATION_STARTED for every handshake after the first, HANDSHAKE_DONE
// when one completes, and peerRenegotiations for the ones the peer started
// (what lib/renegotiation.ts limits). Policy lives in TypeScript.
#include <openssl/ssl.h>

#include "binding/connection.h"
#include "binding/errors.h"

namespace otls {

Napi::Value Connection::Renegotiate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!engine()->handshake_done() || engine()->failed()) {
    throw CodedError(env, "ERR_TLS_RENEGOTIATE", "Attempt to renegotiate TLS session failed");
  }
  Napi::Object options = info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(env);
  Napi::Value request = options.Get("requestCert");
  Cycle cycle;
  if (!engine()->Renegotiate(request.IsBoolean(), request.ToBoolean(), options.Get("rejectUnauthorized").ToBoolean(),
                             &cycle)) {
    ThrowFromQueue(env, "Attempt to renegotiate TLS session failed");
  }
  return Finish(env, &cycle);
}

}  // namespace otls

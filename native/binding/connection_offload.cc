// Handshake steps on the libuv thread pool (server option offloadHandshake).
// receiveAsync()/resumeAsync() run the SSL_do_handshake of a server connection
// whose handshake is not done yet on a pool thread, so the main thread serves
// other sockets meanwhile. One SSL is touched by one thread at a time: while a
// step is in flight every other entry point and query of this Connection
// throws (TLSSocket queues its input instead), and destroy() is deferred until
// the step is back. No JS and no N-API run in Execute: only the TlsEngine, whose
// callbacks record what happened (as on the main thread); the step's failure is
// taken into its Cycle there and made into a JS error on the main thread.
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <memory>

#include "binding/connection.h"
#include "binding/errors.h"

namespace otls {

class HandshakeWorker : public Napi::AsyncWorker {
 public:
  // The receiver (the Connection's JS object) is kept alive until OnOK.
  HandshakeWorker(Napi::Object receiver, Napi::Function callback, Connection* conn)
      : Napi::AsyncWorker(receiver, callback, "openssl-tls:handshake"), conn_(conn) {}

  // Pool thread: one handshake step, nothing else. Its failure, if any, is
  // taken off this thread's error queue into the cycle.
  void Execute() override {
    RunPoolHandshakeStep(conn_->engine_.get(), &cycle_);
  }

  // Main thread: the result, through the same path as receive().
  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    ClearErrorOnReturn clear;
    conn_->in_flight_ = false;
    if (conn_->destroy_deferred_ || !conn_->engine_) {
      // destroy() came meanwhile: JS has let go of this connection.
      conn_->ReleaseSsl();
      return;
    }
    // Pending writes and any application data that came with the last flight.
    if ((cycle_.status & kHandshakeDone) != 0) conn_->engine_->Advance(&cycle_);
    Napi::Value result = conn_->Finish(env, &cycle_);
    Callback().Call(Receiver().Value(), {result});
  }

 private:
  Connection* conn_;
  Cycle cycle_;
};

Napi::Value Connection::QueueHandshakeStep(Napi::Env env, Napi::Value callback) {
  if (!callback.IsFunction()) throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "callback must be a function");
  auto worker = std::make_unique<HandshakeWorker>(Value(), callback.As<Napi::Function>(), this);
  in_flight_ = true;
  // The async machinery owns the worker from here (it deletes itself after OnOK).
  worker.release()->Queue();
  return env.Undefined();
}

Napi::Value Connection::ReceiveAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  Require(env);
  RejectReentry(env);
  Cycle cycle;
  if (!FeedInput(env, info[0], &cycle)) return Finish(env, &cycle);
  if (engine_->NeedsHandshakeStep()) return QueueHandshakeStep(env, info[1]);
  engine_->Advance(&cycle);
  return Finish(env, &cycle);
}

Napi::Value Connection::ResumeAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  Require(env);
  RejectReentry(env);
  ApplyResumeAnswer(env, info[0]);
  if (engine_->NeedsHandshakeStep()) return QueueHandshakeStep(env, info[1]);
  Cycle cycle;
  engine_->Advance(&cycle);
  return Finish(env, &cycle);
}

}  // namespace otls

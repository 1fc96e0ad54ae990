// Handshake steps on the libuv thread pool (server option offloadHandshake).
// receiveAsync()/resumeAsync() run the SSL_do_handshake of a server connection
// whose handshake is not done yet on a pool thread, so the main thread serves
// other sockets meanwhile. The engine moves into the step (transport/pool_step.h,
// the same mechanism as the native transport's) and comes back with its result
// on the main thread: while it is away the Connection has no engine, every
// other entry point throws ERR_INVALID_STATE (TLSSocket queues its input
// instead), and destroy() lets the step free the SSL once it is back. No JS and
// no N-API run on the pool thread: only the TlsEngine, whose callbacks record
// what happened (as on the main thread); the step's failure is taken into its
// Cycle there and made into a JS error here.
#include <uv.h>

#include <memory>
#include <utility>

#include "binding/connection.h"
#include "binding/env_teardown.h"
#include "binding/errors.h"
#include "binding/loop_js.h"

namespace otls {

bool Connection::OffloadsNextStep() const {
  // A link's engine stays on the loop's thread once JS drives it (TcpLink::Adopt).
  return link_ == nullptr && engine_ && engine_->NeedsHandshakeStep();
}

Napi::Value Connection::QueueHandshakeStep(Napi::Env env, Napi::Value callback) {
  if (!callback.IsFunction()) throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "callback must be a function");
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) == napi_ok && loop != nullptr) {
    // The result is told in the async context of this call, as an AsyncWorker's would be.
    auto context = std::make_unique<Napi::AsyncContext>(env, "openssl-tls:handshake", Value());
    if (step_.Start(loop, &engine_, this)) {
      step_callback_ = Napi::Persistent(callback.As<Napi::Function>());
      step_context_ = std::move(context);
      Ref();  // the JS object stays until the step is back
      return env.Undefined();
    }
  }
  // No pool to go to: the step runs here, and the result is returned now.
  Cycle cycle;
  engine_->Advance(&cycle);
  return Finish(env, &cycle);
}

void Connection::OnStepDone(std::unique_ptr<TlsEngine> engine, Cycle* cycle) noexcept {
  Napi::Env env = Env();
  ClearErrorOnReturn clear;
  engine_ = std::move(engine);
  LoopCallbackScope scope(env);
  if (!scope.ok()) {
    // No JS any more: the engine waits here for the finalizer.
    EndStep();
    return;
  }
  // The step is over before JS hears of it: the callback may start the next one.
  Napi::FunctionReference callback = std::move(step_callback_);
  std::unique_ptr<Napi::AsyncContext> context = std::move(step_context_);
  bool ended = false;
  try {
    Napi::Object self = Value();  // held here while the step's reference goes
    EndStep();
    ended = true;
    // Pending writes and any application data that came with the last flight.
    if ((cycle->status & kHandshakeDone) != 0) engine_->Advance(cycle);
    Napi::Value result = Finish(env, cycle);
    if (context) {
      callback.MakeCallback(self, {result}, *context);
    } else {
      callback.MakeCallback(self, {result});
    }
  } catch (const Napi::Error& e) {
    // What the callback threw is an uncaught exception, as for any event handler.
    UncaughtFromLoop(env, e);
  } catch (...) {
  }
  if (!ended) EndStep();
}

void Connection::EndStep() noexcept {
  try {
    step_callback_.Reset();
    step_context_.reset();
    Unref();  // the self-reference taken in QueueHandshakeStep
  } catch (...) {
  }
}

Napi::Value Connection::ReceiveAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Cycle cycle;
  if (!FeedInput(env, info[0], &cycle)) return Finish(env, &cycle);
  if (OffloadsNextStep()) return QueueHandshakeStep(env, info[1]);
  engine()->Advance(&cycle);
  return Finish(env, &cycle);
}

Napi::Value Connection::ResumeAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ApplyResumeAnswer(env, info[0]);
  if (OffloadsNextStep()) return QueueHandshakeStep(env, info[1]);
  Cycle cycle;
  engine()->Advance(&cycle);
  return Finish(env, &cycle);
}

}  // namespace otls

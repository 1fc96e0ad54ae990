// What an environment's teardown (a worker thread ending, node exiting) must
// wait for: handshake steps still on libuv's pool. Until they are back the
// loop cannot close, and what they come back to must not call into JS any
// more. An async cleanup hook (one per environment) holds the teardown until
// no step started on this thread is in flight; meanwhile a step that comes
// back to a Connection or a listener only frees its engine.
#pragma once

#include <napi.h>

namespace otls {

// Registers the hook for env (module init).
void WatchEnvTeardown(Napi::Env env);

// True once this thread's environment is being torn down: no JS may run.
bool EnvTearingDown() noexcept;

// False once JS cannot run on env: its teardown has begun, or a worker is
// terminating. A terminating worker opens handle scopes but runs no JS: every
// call that could (making an error included) fails then. Coercing undefined is
// such a call, and free. Needs an open handle scope.
inline bool JsCanRun(napi_env env) noexcept {
  napi_value undefined = nullptr;
  napi_value coerced = nullptr;
  return !EnvTearingDown() && napi_get_undefined(env, &undefined) == napi_ok &&
         napi_coerce_to_bool(env, undefined, &coerced) == napi_ok;
}

// The handle scope of a callback from libuv (or the pool) into N-API. ok() is
// false when JS can no longer run: the environment is being torn down, or a
// worker is terminating (then even a handle scope cannot be opened); the
// callback then only frees what it must, and calls nothing.
class LoopCallbackScope {
 public:
  explicit LoopCallbackScope(napi_env env) noexcept : env_(env) {
    ok_ = !EnvTearingDown() && napi_open_handle_scope(env_, &scope_) == napi_ok;
    if (ok_ && !JsCanRun(env_)) {
      napi_close_handle_scope(env_, scope_);
      ok_ = false;
    }
  }
  ~LoopCallbackScope() {
    if (ok_) napi_close_handle_scope(env_, scope_);
  }
  LoopCallbackScope(const LoopCallbackScope&) = delete;
  LoopCallbackScope& operator=(const LoopCallbackScope&) = delete;
  LoopCallbackScope(LoopCallbackScope&&) = delete;
  LoopCallbackScope& operator=(LoopCallbackScope&&) = delete;

  bool ok() const { return ok_; }

 private:
  napi_env env_;
  napi_handle_scope scope_ = nullptr;
  bool ok_ = false;
};

}  // namespace otls

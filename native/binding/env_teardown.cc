// Holding an environment's teardown until its pool steps are back
// (binding/env_teardown.h).
#include "binding/env_teardown.h"

#include <memory>

#include "transport/pool_step.h"

namespace otls {

namespace {

// One environment per thread (node's main thread, or a worker's).
thread_local bool tearing_down = false;

// The hook's state, its own (AddonData may be freed before the steps are back).
struct Teardown {
  napi_async_cleanup_hook_handle handle = nullptr;
};

void Release(void* arg) noexcept {
  std::unique_ptr<Teardown> teardown(static_cast<Teardown*>(arg));
  napi_remove_async_cleanup_hook(teardown->handle);
}

void OnTeardown(napi_async_cleanup_hook_handle handle, void* arg) {
  tearing_down = true;
  static_cast<Teardown*>(arg)->handle = handle;
  // Node keeps running the loop until the hook is removed: the steps come back.
  PoolStep::WhenIdle(Release, arg);
}

}  // namespace

void WatchEnvTeardown(Napi::Env env) {
  tearing_down = false;
  auto teardown = std::make_unique<Teardown>();
  napi_async_cleanup_hook_handle handle = nullptr;
  if (napi_add_async_cleanup_hook(env, OnTeardown, teardown.get(), &handle) == napi_ok) {
    teardown->handle = handle;
    (void)teardown.release();  // the hook's until Release
  }
}

bool EnvTearingDown() noexcept { return tearing_down; }

}  // namespace otls

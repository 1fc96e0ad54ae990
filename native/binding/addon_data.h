// Per-environment data (worker-thread safe): the constructors native code needs
// to recognise or create its own objects.
#pragma once

#include <napi.h>

namespace otls {

struct AddonData {
  Napi::FunctionReference secure_context;
  Napi::FunctionReference connection;
};

// Made on first use for this env and freed with it.
AddonData& GetAddonData(Napi::Env env);

}  // namespace otls

// Per-environment data (worker-thread safe): the constructors native code needs
// to recognise or create its own objects.
#pragma once

#include <napi.h>

namespace otls {

class TcpLink;

struct AddonData {
  Napi::FunctionReference connection;
  // Connection::Adopt: the link the constructor takes, and the private token
  // (never given to JS) it must be called with.
  Napi::ObjectReference adopt_token;
  TcpLink* adopting = nullptr;
};

// Made on first use for this env and freed with it.
AddonData& GetAddonData(Napi::Env env);

}  // namespace otls

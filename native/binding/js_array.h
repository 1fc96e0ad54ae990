// C++ sequences as JS arrays: a JS array index is a uint32_t, so a sequence
// longer than that is ERR_OUT_OF_RANGE here, never an index cut short.
#pragma once

#include <napi.h>

#include <cstdint>

#include "binding/errors.h"
#include "core/narrow.h"

namespace otls {

// [make(item) for each item], in order.
template <typename Items, typename Make>
Napi::Array ToJsArray(Napi::Env env, const Items& items, Make make) {
  if (!FitsIn<uint32_t>(items.size())) throw CodedError(env, "ERR_OUT_OF_RANGE", "Too many values for an array");
  Napi::Array out = Napi::Array::New(env, items.size());
  uint32_t i = 0;
  for (const auto& item : items) out.Set(i++, make(item));
  return out;
}

// The items as they are (strings, numbers: whatever Napi::Value converts).
template <typename Items>
Napi::Array ToJsArray(Napi::Env env, const Items& items) {
  return ToJsArray(env, items, [](const auto& item) { return item; });
}

}  // namespace otls

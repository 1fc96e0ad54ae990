// N-API type tags of the addon's classes. Each JS object is branded with its
// class's tag when it is made, and a native object is only unwrapped from a
// JS value (an argument: the context given to a Connection or a TcpListener,
// or to resume()) after its tag is checked, so another object, even one made
// with Object.create(SecureContext.prototype), is an argument error and never
// read as ours. (A method's own `this` needs no tag: V8 checks it against the
// class before the method runs.)
#pragma once

#include <napi.h>

namespace otls {

// Random 128-bit values, one per class.
inline constexpr napi_type_tag kSecureContextTag = {0x0508662cbf0b37fdULL, 0x2e1f5d9883cc42ecULL};
inline constexpr napi_type_tag kConnectionTag = {0xea0d84c7d6cf4c42ULL, 0xd0a7830e9efd3994ULL};
inline constexpr napi_type_tag kTcpListenerTag = {0x0957f1853e3b1773ULL, 0x0ca46fcd34f7d0baULL};

// The native object behind `value` when it carries T's tag (T::kTypeTag), else null.
template <typename T>
T* UnwrapTagged(Napi::Value value) {
  if (!value.IsObject()) return nullptr;
  Napi::Object object = value.As<Napi::Object>();
  if (!object.CheckTypeTag(&T::kTypeTag)) return nullptr;
  return T::Unwrap(object);
}

}  // namespace otls

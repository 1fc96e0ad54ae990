// N-API type tags of the addon's classes that JS hands back to native code as
// arguments. Such an object is branded with its class's tag when it is made,
// and unwrapped from a JS value (the context given to a Connection or a
// TcpListener, or to resume()) only after its tag is checked, so another
// object, even one made with Object.create(SecureContext.prototype), is an
// argument error and never read as ours. A method's own `this` needs no tag
// (V8 checks it against the class before the method runs), and neither do
// Connection and TcpListener: no native call takes one as an argument (a tag
// would cost each connection a private property, its map change and a BigInt).
#pragma once

#include <napi.h>

namespace otls {

// A random 128-bit value per class.
inline constexpr napi_type_tag kSecureContextTag = {0x0508662cbf0b37fdULL, 0x2e1f5d9883cc42ecULL};

// The native object behind `value` when it carries T's tag (T::kTypeTag), else null.
template <typename T>
T* UnwrapTagged(Napi::Value value) {
  if (!value.IsObject()) return nullptr;
  Napi::Object object = value.As<Napi::Object>();
  if (!object.CheckTypeTag(&T::kTypeTag)) return nullptr;
  return T::Unwrap(object);
}

}  // namespace otls

// Pre-shared keys on a Connection (TLS 1.2 PSK cipher suites, and TLS 1.3 PSK
// through OpenSSL's compatibility with the same callbacks, as node:tls does).
//
// OpenSSL's PSK callbacks cannot pause the handshake, so they are the one place
// where JS runs while OpenSSL is on the stack. The rules that keep that safe:
//  - every JS exception is caught here and recorded; the call's result then
//    fails with it (Connection::Finish), never with OpenSSL's own error;
//  - destroy() requested from inside the callback is deferred until OpenSSL
//    has returned (Connection::Destroy, Connection::Finish);
//  - a re-entrant call on the same connection (receive, write, ...) throws
//    ERR_INVALID_STATE instead of entering OpenSSL twice;
//  - calls on other connections use their own read buffer (JsCallbackDepth).
#include <openssl/ssl.h>

#include <cstring>
#include <string>

#include "binding/connection.h"
#include "binding/errors.h"

namespace otls {

namespace {

// The JS function is kept on the Connection's own JS object (a hidden
// property), so it lives exactly as long as that object: no persistent
// reference, no cycle for the garbage collector to miss.
constexpr const char* kPskCallbackKey = "__pskCallback";

// Marks "JS is running inside OpenSSL on this connection" for one call.
class JsCallbackScope {
 public:
  explicit JsCallbackScope(bool* flag) : flag_(flag) {
    *flag_ = true;
    ++JsCallbackDepth();
  }
  ~JsCallbackScope() {
    *flag_ = false;
    --JsCallbackDepth();
  }
  JsCallbackScope(const JsCallbackScope&) = delete;
  JsCallbackScope& operator=(const JsCallbackScope&) = delete;

 private:
  bool* flag_;
};

}  // namespace

void Connection::SetupPsk(Napi::Env env, Napi::Object options) {
  Napi::Value callback = options.Get("pskCallback");
  if (callback.IsFunction()) {
    Value().DefineProperty(Napi::PropertyDescriptor::Value(kPskCallbackKey, callback, napi_default));
    engine()->EnablePsk(this);
  } else if (!callback.IsUndefined() && !callback.IsNull()) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "pskCallback must be a function");
  }
  Napi::Value hint = options.Get("pskIdentityHint");
  if (engine()->is_server() && hint.IsString()) {
    if (!engine()->SetPskIdentityHint(hint.As<Napi::String>())) {
      // node:tls reports this as the connection's error (tlsClientError).
      ERR_clear_error();
      RecordCallbackError(
          CodedError(env, "ERR_TLS_PSK_SET_IDENTIY_HINT_FAILED", "Failed to set PSK identity hint").Value());
    }
  }
}

void Connection::RecordCallbackError(Napi::Value error) noexcept {
  // The first error wins: it is the one that stopped the handshake.
  if (!callback_error_.IsEmpty()) return;
  try {
    // A thrown primitive (throw 'x') cannot be referenced: it becomes an Error.
    if (!error.IsObject()) error = Napi::Error::New(error.Env(), error.ToString().Utf8Value()).Value();
    callback_error_ = Napi::Persistent(error);
  } catch (...) {
  }
}

Napi::Value Connection::TakeCallbackError() {
  if (callback_error_.IsEmpty()) return Napi::Value();
  Napi::Value error = callback_error_.Value();
  callback_error_.Reset();
  // OpenSSL's view of the failure is not the story; nor is whatever it
  // queued for the peer after the callback: the peer sees the connection
  // close, as with node:tls (Finish has the engine drop its output).
  return error;
}

unsigned int Connection::CopyPsk(Napi::Env env, Napi::Buffer<unsigned char> key, unsigned char* psk,
                                 unsigned int max_psk_len) {
  if (key.Length() > max_psk_len) {
    RecordCallbackError(
        CodedTypeError(env, "ERR_INVALID_ARG_VALUE", "Pre-shared key exceeds " + std::to_string(max_psk_len) + " bytes")
            .Value());
    return 0;
  }
  std::memcpy(psk, key.Data(), key.Length());
  return static_cast<unsigned int>(key.Length());
}

Napi::Value Connection::CallPskCallback(Napi::Value arg) {
  Napi::Env env = Env();
  Napi::Value fn = Value().Get(kPskCallbackKey);
  if (!fn.IsFunction()) return Napi::Value();
  JsCallbackScope scope(&in_js_callback_);
  return fn.As<Napi::Function>().Call(env.Undefined(), {arg});
}

unsigned int Connection::OnPskServer(const char* identity, unsigned char* psk, unsigned int max_psk_len) noexcept {
  if (in_js_callback_ || destroy_deferred_ || !callback_error_.IsEmpty()) return 0;
  try {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Napi::Value ret =
        CallPskCallback(identity == nullptr ? Napi::String::New(env, "") : Napi::String::New(env, identity));
    // destroy() from the callback: no key, and the SSL goes once OpenSSL returns.
    if (destroy_deferred_ || ret.IsEmpty() || ret.IsNull() || ret.IsUndefined()) return 0;
    if (!ret.IsBuffer()) {
      RecordCallbackError(
          CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "pskCallback must return a Buffer or null").Value());
      return 0;
    }
    return CopyPsk(env, ret.As<Napi::Buffer<unsigned char>>(), psk, max_psk_len);
  } catch (const Napi::Error& e) {
    try {
      RecordCallbackError(e.Value());
    } catch (...) {
    }
  } catch (...) {
  }
  return 0;
}

unsigned int Connection::OnPskClient(const char* hint, char* identity, unsigned int max_identity_len,
                                     unsigned char* psk, unsigned int max_psk_len) noexcept {
  if (in_js_callback_ || destroy_deferred_ || !callback_error_.IsEmpty()) return 0;
  try {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    // TLS 1.3 (and a TLS 1.2 server without a hint) gives no hint: null, as in node:tls.
    Napi::Value ret = CallPskCallback(hint == nullptr ? env.Null() : Napi::String::New(env, hint));
    if (destroy_deferred_ || ret.IsEmpty() || ret.IsNull() || ret.IsUndefined()) return 0;
    if (!ret.IsObject()) {
      RecordCallbackError(
          CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "pskCallback must return an object or null").Value());
      return 0;
    }
    Napi::Object answer = ret.As<Napi::Object>();
    Napi::Value key = answer.Get("psk");
    Napi::Value id = answer.Get("identity");
    if (!key.IsBuffer() || !id.IsString()) {
      RecordCallbackError(
          CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "pskCallback must return { psk: Buffer, identity: string }")
              .Value());
      return 0;
    }
    auto bytes = key.As<Napi::Buffer<unsigned char>>();
    std::string name = id.As<Napi::String>();
    // OpenSSL zeroes the identity buffer and leaves room for the terminator
    // beyond max_identity_len, so an identity of exactly that length fits.
    if (name.size() > max_identity_len) {
      RecordCallbackError(CodedTypeError(env, "ERR_INVALID_ARG_VALUE",
                                         "PSK identity exceeds " + std::to_string(max_identity_len) + " bytes")
                              .Value());
      return 0;
    }
    unsigned int len = CopyPsk(env, bytes, psk, max_psk_len);
    if (len == 0) return 0;
    std::memcpy(identity, name.data(), name.size());
    if (name.size() < max_identity_len) identity[name.size()] = '\0';
    return len;
  } catch (const Napi::Error& e) {
    try {
      RecordCallbackError(e.Value());
    } catch (...) {
    }
  } catch (...) {
  }
  return 0;
}

}  // namespace otls

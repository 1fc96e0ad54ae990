// Module-level functions about the system OpenSSL itself: its configuration's
// TLS defaults (openssl.cnf), cipher strings expanded, the providers loaded.
#pragma once

#include <napi.h>

namespace otls {

// systemDefaults(): native/core/system_config.h as a JS object.
Napi::Value SystemDefaultsJs(const Napi::CallbackInfo& info);
// cipherNames(string): the TLS 1.2 names it selects, or throws OpenSSL's error.
Napi::Value CipherNamesJs(const Napi::CallbackInfo& info);
// setEngine(id, flags): crypto.setEngine's native half; false when OpenSSL
// refuses the engine as a default.
Napi::Value SetEngineJs(const Napi::CallbackInfo& info);
// providers(): [{ name, version, buildinfo }] of the providers loaded.
Napi::Value ProvidersJs(const Napi::CallbackInfo& info);

}  // namespace otls

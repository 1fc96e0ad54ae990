// The ENGINE API, deprecated in OpenSSL 3 and hidden by the build's
// OPENSSL_NO_DEPRECATED. node's engine options need it, so this one source
// asks for the deprecated declarations on purpose, and silences their
// deprecation warnings (OPENSSL_SUPPRESS_DEPRECATED): both before any OpenSSL
// header is read. No other source includes <openssl/engine.h>.
#undef OPENSSL_NO_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED

#include "core/engine_keys.h"

#include <openssl/ui.h>

#ifndef OPENSSL_NO_ENGINE
#include <openssl/engine.h>
#endif

namespace otls {

#ifndef OPENSSL_NO_ENGINE

namespace {

// A structural reference (ENGINE_by_id): ENGINE_free only.
void FreeEngine(ENGINE* e) { ENGINE_free(e); }
using EngineRef = std::unique_ptr<ENGINE, Deleter<ENGINE, FreeEngine>>;

void FreeUiMethod(UI_METHOD* m) { UI_destroy_method(m); }
using UiMethodPtr = std::unique_ptr<UI_METHOD, Deleter<UI_METHOD, FreeUiMethod>>;

}  // namespace

bool EnginesSupported() { return true; }

void EngineRelease::operator()(ENGINE* e) const noexcept {
  ENGINE_finish(e);
  ENGINE_free(e);
}

EngineOpen OpenEngine(const std::string& id, EngineHandle* out) {
  out->reset();
  EngineRef engine(ENGINE_by_id(id.c_str()));
  if (!engine) {
    // Not a known id: maybe the path of an engine's shared library.
    engine.reset(ENGINE_by_id("dynamic"));
    if (engine && (ENGINE_ctrl_cmd_string(engine.get(), "SO_PATH", id.c_str(), 0) != 1 ||
                   ENGINE_ctrl_cmd_string(engine.get(), "LOAD", nullptr, 0) != 1)) {
      engine.reset();
    }
  }
  if (!engine) return EngineOpen::kNotFound;
  if (ENGINE_init(engine.get()) != 1) return EngineOpen::kInitFailed;
  out->reset(engine.release());  // the structural reference goes with the functional one
  return EngineOpen::kOk;
}

EvpPkeyPtr LoadEngineKey(ENGINE* engine, const std::string& key_id, const Passphrase* pass) {
  // OpenSSL's default UI would prompt on the terminal for a PIN; this one
  // answers from `pass` (or with nothing), through the PEM passphrase callback.
  UiMethodPtr ui(UI_UTIL_wrap_read_pem_callback(PassphraseCallback, 0));
  if (!ui) return nullptr;
  void* userdata = const_cast<Passphrase*>(pass);  // read only, through OpenSSL's non-const callback data
  return EvpPkeyPtr(ENGINE_load_private_key(engine, key_id.c_str(), ui.get(), userdata));
}

bool UseClientCertEngine(SSL_CTX* ctx, ENGINE* engine) { return SSL_CTX_set_client_cert_engine(ctx, engine) == 1; }

bool SetDefaultEngine(ENGINE* engine, unsigned int flags) { return ENGINE_set_default(engine, flags) == 1; }

#else  // OPENSSL_NO_ENGINE: every entry point says no.

bool EnginesSupported() { return false; }
void EngineRelease::operator()(ENGINE* /*e*/) const noexcept {}
EngineOpen OpenEngine(const std::string& /*id*/, EngineHandle* out) {
  out->reset();
  return EngineOpen::kNotFound;
}
EvpPkeyPtr LoadEngineKey(ENGINE* /*engine*/, const std::string& /*key_id*/, const Passphrase* /*pass*/) {
  return nullptr;
}
bool UseClientCertEngine(SSL_CTX* /*ctx*/, ENGINE* /*engine*/) { return false; }
bool SetDefaultEngine(ENGINE* /*engine*/, unsigned int /*flags*/) { return false; }

#endif  // OPENSSL_NO_ENGINE

}  // namespace otls

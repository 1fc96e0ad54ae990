// OpenSSL ENGINEs, for node's privateKeyEngine/privateKeyIdentifier,
// clientCertEngine and setEngine. OpenSSL 3 deprecates the ENGINE API (and
// the build hides deprecated declarations): engine_keys.cc is the one source
// that uses it, and other sources see only the opaque ENGINE type.
// No N-API here.
#pragma once

#include <memory>
#include <string>

#include "core/context_loading.h"
#include "core/ossl.h"

namespace otls {

// Whether this OpenSSL was built with ENGINE support (OPENSSL_NO_ENGINE unset).
bool EnginesSupported();

// A functional ENGINE reference (ENGINE_init'd): ENGINE_finish and
// ENGINE_free when it goes.
struct EngineRelease {
  void operator()(ENGINE* e) const noexcept;
};
using EngineHandle = std::unique_ptr<ENGINE, EngineRelease>;

enum class EngineOpen {
  kOk,
  kNotFound,    // no such engine: OpenSSL's reasons (if any) on the error queue
  kInitFailed,  // found, but ENGINE_init failed
};

// The engine `id` (ENGINE_by_id, which also looks in ENGINESDIR), or the
// shared library at that path through the dynamic engine, initialised.
EngineOpen OpenEngine(const std::string& id, EngineHandle* out);

// The private key `key_id` from the engine (a PKCS#11 URI for the pkcs11
// engine), its PIN or passphrase prompt answered with pass (never the
// terminal). Null with OpenSSL's reasons on the error queue.
EvpPkeyPtr LoadEngineKey(ENGINE* engine, const std::string& key_id, const Passphrase* pass);

// SSL_CTX_set_client_cert_engine: the engine supplies client certificates.
bool UseClientCertEngine(SSL_CTX* ctx, ENGINE* engine);

// crypto.setEngine(id, flags): the engine's methods become OpenSSL's
// defaults for the ENGINE_METHOD_* flags given.
bool SetDefaultEngine(ENGINE* engine, unsigned int flags);

}  // namespace otls

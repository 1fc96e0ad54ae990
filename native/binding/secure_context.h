// SecureContext: one SSL_CTX and everything configured on it (keys, certificates,
// trust store, CRLs, ciphers, groups, DH, versions, options, session settings).
// Option parsing, defaults and Node's argument errors live in lib/secure_context.ts;
// this class applies already-validated values and reports OpenSSL's errors.
#pragma once

#include <napi.h>

#include <vector>

#include "binding/type_tags.h"
#include "core/engine_keys.h"
#include "core/ossl.h"

namespace otls {

class SecureContext : public Napi::ObjectWrap<SecureContext> {
 public:
  static constexpr const napi_type_tag& kTypeTag = kSecureContextTag;
  static Napi::Function Init(Napi::Env env);
  explicit SecureContext(const Napi::CallbackInfo& info);

  // Null after close().
  SSL_CTX* ctx() const { return ctx_.get(); }

  // The SecureContext wrapped by a JS value (the native object, or lib's
  // SecureContext holding it in `.context`), brand-checked by its type tag;
  // anything else is ERR_INVALID_ARG_TYPE.
  static SecureContext* FromValue(Napi::Env env, Napi::Value value);

 private:
  SSL_CTX* Require(Napi::Env env) const;

  void SetProtoVersions(const Napi::CallbackInfo& info);
  void SetOptions(const Napi::CallbackInfo& info);
  void SetKey(const Napi::CallbackInfo& info);
  void SetCert(const Napi::CallbackInfo& info);
  void AddCACert(const Napi::CallbackInfo& info);
  void AddRootCerts(const Napi::CallbackInfo& info);
  void SetAllowPartialTrustChain(const Napi::CallbackInfo& info);
  void AddCRL(const Napi::CallbackInfo& info);
  void LoadPKCS12(const Napi::CallbackInfo& info);
  void SetCiphers(const Napi::CallbackInfo& info);
  void SetCipherSuites(const Napi::CallbackInfo& info);
  void SetECDHCurve(const Napi::CallbackInfo& info);
  Napi::Value SetDHParam(const Napi::CallbackInfo& info);
  void SetSigalgs(const Napi::CallbackInfo& info);
  void SetSessionIdContext(const Napi::CallbackInfo& info);
  void SetSessionTimeout(const Napi::CallbackInfo& info);
  void SetTicketKeys(const Napi::CallbackInfo& info);
  Napi::Value GetTicketKeys(const Napi::CallbackInfo& info);
  Napi::Value GetCertificateDer(const Napi::CallbackInfo& info);
  void BuildChains(const Napi::CallbackInfo& info);
  void ApplyConfig(const Napi::CallbackInfo& info);
  void SetEngineKey(const Napi::CallbackInfo& info);
  void SetClientCertEngine(const Napi::CallbackInfo& info);
  void SetKeyFromUri(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);

  // The certificate store this context alone owns, made on first use: adding a
  // CA or CRL must never touch the process-wide store of system roots that
  // addRootCerts() shares between contexts.
  X509_STORE* OwnStore(Napi::Env env);

  // The engines whose keys or client certificates the SSL_CTX uses: declared
  // first, so they are released after it.
  std::vector<EngineHandle> engines_;
  bool client_cert_engine_ = false;
  SslCtxPtr ctx_;
  bool own_store_ = false;     // the SSL_CTX's store is ours to change
  bool shared_roots_ = false;  // the SSL_CTX uses the shared system-root store
};

// The engine `id` (an id or a shared library's path), initialised, or a thrown
// node:tls error (ERR_CRYPTO_ENGINE_UNKNOWN, OpenSSL's reasons, ...).
EngineHandle OpenEngineOrThrow(Napi::Env env, const std::string& id);

// Module-level helpers that need no context.
Napi::Value GetCiphers(const Napi::CallbackInfo& info);
Napi::Value GetRootCertificates(const Napi::CallbackInfo& info);

}  // namespace otls

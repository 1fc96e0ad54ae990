// Looking into a Connection: key log reports switched on late (a client's
// 'keylog' listener comes after connect() returned), OpenSSL's protocol trace
// on stderr (enableTrace), the shared signature algorithms, and which of these
// optional features the system OpenSSL was built with.
#include <openssl/objects.h>
#include <openssl/ssl.h>

#include <string>

#include "binding/connection.h"
#include "binding/errors.h"

namespace otls {

Napi::Object ExtensionFeatures(Napi::Env env) {
  Napi::Object features = Napi::Object::New(env);
#ifdef OPENSSL_NO_NEXTPROTONEG
  features.Set("npn", false);
#else
  features.Set("npn", true);
#endif
#ifdef OPENSSL_NO_SSL_TRACE
  features.Set("sslTrace", false);
#else
  features.Set("sslTrace", true);
#endif
#ifdef OPENSSL_NO_OCSP
  features.Set("ocsp", false);
#else
  features.Set("ocsp", true);
#endif
  return features;
}

void Connection::SetReportKeylog(const Napi::CallbackInfo& info) {
  // Allowed after destroy() too: it only decides what later calls report.
  if (TlsEngine* e = engine()) e->set_report_keylog(info[0].ToBoolean());
}

void Connection::EnableTrace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#ifdef OPENSSL_NO_SSL_TRACE
  throw CodedError(env, "ERR_TLS_TRACE_UNSUPPORTED", "enableTrace: this OpenSSL was built without SSL_trace");
#else
  if (!engine()->EnableTrace()) ThrowFromQueue(env, "Failed to set up the trace");
#endif
}

namespace {

// node:tls's names: "<signature>+<hash>", e.g. "ECDSA+SHA256", "RSA-PSS+SHA384",
// "Ed25519+UNDEF" (no separate hash).
std::string SignatureName(int nid) {
  switch (nid) {
    case EVP_PKEY_RSA:
      return "RSA";
    case EVP_PKEY_RSA_PSS:
      return "RSA-PSS";
    case EVP_PKEY_DSA:
      return "DSA";
    case EVP_PKEY_EC:
      return "ECDSA";
    case EVP_PKEY_ED25519:
      return "Ed25519";
    case EVP_PKEY_ED448:
      return "Ed448";
    default: {
      const char* sn = OBJ_nid2sn(nid);
      return sn != nullptr ? sn : "UNDEF";
    }
  }
}

}  // namespace

Napi::Value Connection::GetSharedSigalgs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SSL* ssl = engine()->ssl();
  int count = SSL_get_shared_sigalgs(ssl, 0, nullptr, nullptr, nullptr, nullptr, nullptr);
  Napi::Array list = Napi::Array::New(env);
  uint32_t out = 0;
  for (int i = 0; i < count; ++i) {
    int sign = NID_undef;
    int hash = NID_undef;
    if (SSL_get_shared_sigalgs(ssl, i, &sign, &hash, nullptr, nullptr, nullptr) == 0) break;
    const char* hash_name = OBJ_nid2sn(hash);
    list.Set(out++, SignatureName(sign) + "+" + (hash_name != nullptr ? hash_name : "UNDEF"));
  }
  return list;
}

}  // namespace otls

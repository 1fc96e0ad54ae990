#include "binding/errors.h"
#include "binding/js_array.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <cctype>
#include <string>
#include <vector>

namespace otls {

namespace {

const char* LibraryPrefix(int lib) {
  switch (lib) {
#define OTLS_LIB(name) \
  case ERR_LIB_##name: \
    return #name "_";
    OTLS_LIB(SYS)
    OTLS_LIB(BN)
    OTLS_LIB(RSA)
    OTLS_LIB(DH)
    OTLS_LIB(EVP)
    OTLS_LIB(BUF)
    OTLS_LIB(OBJ)
    OTLS_LIB(PEM)
    OTLS_LIB(DSA)
    OTLS_LIB(X509)
    OTLS_LIB(ASN1)
    OTLS_LIB(CONF)
    OTLS_LIB(CRYPTO)
    OTLS_LIB(EC)
    OTLS_LIB(SSL)
    OTLS_LIB(BIO)
    OTLS_LIB(PKCS7)
    OTLS_LIB(X509V3)
    OTLS_LIB(PKCS12)
    OTLS_LIB(RAND)
    OTLS_LIB(DSO)
    OTLS_LIB(ENGINE)
    OTLS_LIB(OCSP)
    OTLS_LIB(UI)
    OTLS_LIB(COMP)
    OTLS_LIB(ECDSA)
    OTLS_LIB(ECDH)
    OTLS_LIB(OSSL_STORE)
    OTLS_LIB(FIPS)
    OTLS_LIB(CMS)
    OTLS_LIB(TS)
    OTLS_LIB(HMAC)
    OTLS_LIB(CT)
    OTLS_LIB(ASYNC)
    OTLS_LIB(KDF)
    OTLS_LIB(SM2)
    OTLS_LIB(USER)
#undef OTLS_LIB
    default:
      return "";
  }
}

std::string Upper(const char* s) {
  std::string out;
  for (const char* p = s; *p; ++p) {
    unsigned char c = static_cast<unsigned char>(*p);
    out.push_back(c == ' ' ? '_' : static_cast<char>(std::toupper(c)));
  }
  return out;
}

std::string ErrorString(unsigned long err) {
  char buf[256];
  ERR_error_string_n(err, buf, sizeof(buf));
  return buf;
}

}  // namespace

std::string OpenSSLErrorCode(unsigned long err) {
  const char* reason = ERR_reason_error_string(err);
  if (reason == nullptr) return "";
  std::string lib = LibraryPrefix(ERR_GET_LIB(err));
  // libssl's errors are ERR_SSL_<REASON>; every other library is ERR_OSSL_...
  std::string prefix = lib == "SSL_" ? "" : "OSSL_";
  return "ERR_" + prefix + lib + Upper(reason);
}

Napi::Error ErrorFromQueue(Napi::Env env, const char* fallback) {
  std::vector<unsigned long> errors;
  while (unsigned long e = ERR_get_error()) errors.push_back(e);
  ERR_clear_error();
  if (errors.empty()) return Napi::Error::New(env, fallback);

  // As in node: the first error queued names the failure, the later ones
  // (the callers that passed it on) are its opensslErrorStack.
  unsigned long last = errors.front();
  Napi::Error error = Napi::Error::New(env, ErrorString(last));
  Napi::Object obj = error.Value();
  if (errors.size() > 1) {
    errors.erase(errors.begin());
    obj.Set("opensslErrorStack", ToJsArray(env, errors, ErrorString));
  }
  if (const char* lib = ERR_lib_error_string(last)) obj.Set("library", lib);
  if (const char* reason = ERR_reason_error_string(last)) obj.Set("reason", reason);
  std::string code = OpenSSLErrorCode(last);
  if (!code.empty()) obj.Set("code", code);
  return error;
}

Napi::Error ErrorStoreFromQueue(Napi::Env env, const char* fallback) {
  std::vector<unsigned long> errors;
  while (unsigned long e = ERR_get_error()) errors.push_back(e);
  ERR_clear_error();
  if (errors.empty()) return Napi::Error::New(env, fallback);
  Napi::Error error = Napi::Error::New(env, ErrorString(errors.front()));
  std::vector<unsigned long> rest(errors.rbegin(), errors.rend() - 1);
  error.Value().Set("opensslErrorStack", ToJsArray(env, rest, ErrorString));
  return error;
}

Napi::Error SocketErrorFromQueue(Napi::Env env, const char* fallback) {
  unsigned long first = ERR_get_error();
  ERR_clear_error();
  return SocketErrorFromCode(env, first, fallback);
}

Napi::Error SocketErrorFromCode(Napi::Env env, unsigned long first, const char* fallback) {
  if (first == 0) return Napi::Error::New(env, fallback);
  Napi::Error error = Napi::Error::New(env, ErrorString(first));
  Napi::Object obj = error.Value();
  if (const char* lib = ERR_lib_error_string(first)) obj.Set("library", lib);
  if (const char* reason = ERR_reason_error_string(first)) {
    obj.Set("reason", reason);
    obj.Set("code", "ERR_SSL_" + Upper(reason));
  }
  return error;
}

void ThrowFromQueue(Napi::Env env, const char* fallback) { throw ErrorFromQueue(env, fallback); }

Napi::Error CodedError(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Value().Set("code", code);
  return e;
}

Napi::Error CodedTypeError(Napi::Env env, const char* code, const std::string& message) {
  Napi::TypeError e = Napi::TypeError::New(env, message);
  e.Value().Set("code", code);
  return e;
}

const char* VerifyErrorName(long v) {
  switch (v) {
#define OTLS_V(name)      \
  case X509_V_ERR_##name: \
    return #name;
    OTLS_V(UNABLE_TO_GET_ISSUER_CERT)
    OTLS_V(UNABLE_TO_GET_CRL)
    OTLS_V(UNABLE_TO_DECRYPT_CERT_SIGNATURE)
    OTLS_V(UNABLE_TO_DECRYPT_CRL_SIGNATURE)
    OTLS_V(UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY)
    OTLS_V(CERT_SIGNATURE_FAILURE)
    OTLS_V(CRL_SIGNATURE_FAILURE)
    OTLS_V(CERT_NOT_YET_VALID)
    OTLS_V(CERT_HAS_EXPIRED)
    OTLS_V(CRL_NOT_YET_VALID)
    OTLS_V(CRL_HAS_EXPIRED)
    OTLS_V(ERROR_IN_CERT_NOT_BEFORE_FIELD)
    OTLS_V(ERROR_IN_CERT_NOT_AFTER_FIELD)
    OTLS_V(ERROR_IN_CRL_LAST_UPDATE_FIELD)
    OTLS_V(ERROR_IN_CRL_NEXT_UPDATE_FIELD)
    OTLS_V(OUT_OF_MEM)
    OTLS_V(DEPTH_ZERO_SELF_SIGNED_CERT)
    OTLS_V(SELF_SIGNED_CERT_IN_CHAIN)
    OTLS_V(UNABLE_TO_GET_ISSUER_CERT_LOCALLY)
    OTLS_V(UNABLE_TO_VERIFY_LEAF_SIGNATURE)
    OTLS_V(CERT_CHAIN_TOO_LONG)
    OTLS_V(CERT_REVOKED)
    OTLS_V(INVALID_CA)
    OTLS_V(PATH_LENGTH_EXCEEDED)
    OTLS_V(INVALID_PURPOSE)
    OTLS_V(CERT_UNTRUSTED)
    OTLS_V(CERT_REJECTED)
    OTLS_V(HOSTNAME_MISMATCH)
    OTLS_V(EMAIL_MISMATCH)
    OTLS_V(IP_ADDRESS_MISMATCH)
    OTLS_V(INVALID_CALL)
    OTLS_V(STORE_LOOKUP)
    OTLS_V(EE_KEY_TOO_SMALL)
    OTLS_V(CA_KEY_TOO_SMALL)
    OTLS_V(CA_MD_TOO_WEAK)
    OTLS_V(INVALID_EXTENSION)
    OTLS_V(KEYUSAGE_NO_CERTSIGN)
    OTLS_V(KEYUSAGE_NO_CRL_SIGN)
    OTLS_V(UNHANDLED_CRITICAL_EXTENSION)
    OTLS_V(UNHANDLED_CRITICAL_CRL_EXTENSION)
    OTLS_V(DIFFERENT_CRL_SCOPE)
    OTLS_V(UNSUPPORTED_EXTENSION_FEATURE)
    OTLS_V(PERMITTED_VIOLATION)
    OTLS_V(EXCLUDED_VIOLATION)
    OTLS_V(SUBTREE_MINMAX)
    OTLS_V(UNSUPPORTED_CONSTRAINT_TYPE)
    OTLS_V(UNSUPPORTED_CONSTRAINT_SYNTAX)
    OTLS_V(UNSUPPORTED_NAME_SYNTAX)
    OTLS_V(CRL_PATH_VALIDATION_ERROR)
    OTLS_V(NO_EXPLICIT_POLICY)
    OTLS_V(INVALID_POLICY_EXTENSION)
    OTLS_V(APPLICATION_VERIFICATION)
#undef OTLS_V
    default:
      return "UNSPECIFIED";
  }
}

}  // namespace otls

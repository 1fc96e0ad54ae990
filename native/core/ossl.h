// RAII over OpenSSL: a unique_ptr with the right free function for every type we
// hold, and a guard that leaves the error queue empty when a scope ends.
// No N-API in here.
#pragma once

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "core/narrow.h"

namespace otls {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept { Free(p); }
};

using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX, SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, Deleter<SSL, SSL_free>>;
using SslSessionPtr = std::unique_ptr<SSL_SESSION, Deleter<SSL_SESSION, SSL_SESSION_free>>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, Deleter<PKCS12, PKCS12_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;

inline void FreeX509Stack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
using X509StackPtr = std::unique_ptr<STACK_OF(X509), Deleter<STACK_OF(X509), FreeX509Stack>>;

inline void FreeGeneralNames(GENERAL_NAMES* n) { GENERAL_NAMES_free(n); }
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, FreeGeneralNames>>;

// Clears whatever OpenSSL left on this thread's error queue when the scope ends,
// on every path: success, early return or exception.
class ClearErrorOnReturn {
 public:
  ClearErrorOnReturn() = default;
  ~ClearErrorOnReturn() { ERR_clear_error(); }
  ClearErrorOnReturn(const ClearErrorOnReturn&) = delete;
  ClearErrorOnReturn& operator=(const ClearErrorOnReturn&) = delete;
};

// A read-only memory BIO over bytes that outlive it; null when OpenSSL cannot
// take that many (its length is an int, and a negative one means "up to NUL").
inline BioPtr MemoryBio(const void* data, size_t len) {
  if (!FitsIn<int>(len)) return nullptr;
  return BioPtr(BIO_new_mem_buf(data, static_cast<int>(len)));
}

}  // namespace otls

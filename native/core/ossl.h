// RAII over OpenSSL, in one place: a unique_ptr with the right free function
// for every OpenSSL type native/ owns, and the guard that leaves the thread's
// error queue empty when a scope ends. Nothing under native/ frees an OpenSSL
// object by hand: it holds it in one of these, and hands it to OpenSSL with
// release() where OpenSSL takes ownership. No N-API, no libuv.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
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
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

// Memory OpenSSL allocated for us (i2d_*, *_bn2hex, OPENSSL_memdup, ...).
inline void FreeOpenSSLChars(char* p) { OPENSSL_free(p); }
inline void FreeOpenSSLBytes(unsigned char* p) { OPENSSL_free(p); }
using OpenSSLString = std::unique_ptr<char, Deleter<char, FreeOpenSSLChars>>;
using OpenSSLBytes = std::unique_ptr<unsigned char, Deleter<unsigned char, FreeOpenSSLBytes>>;

inline void FreeX509Stack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
using X509StackPtr = std::unique_ptr<STACK_OF(X509), Deleter<STACK_OF(X509), FreeX509Stack>>;

inline void FreeGeneralNames(GENERAL_NAMES* n) { GENERAL_NAMES_free(n); }
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, FreeGeneralNames>>;

inline void FreeExtensions(X509_EXTENSIONS* s) { sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free); }
using ExtensionsPtr = std::unique_ptr<X509_EXTENSIONS, Deleter<X509_EXTENSIONS, FreeExtensions>>;

inline void FreeAccessInfo(AUTHORITY_INFO_ACCESS* a) { AUTHORITY_INFO_ACCESS_free(a); }
using AccessInfoPtr = std::unique_ptr<AUTHORITY_INFO_ACCESS, Deleter<AUTHORITY_INFO_ACCESS, FreeAccessInfo>>;

inline void FreeKeyUsage(EXTENDED_KEY_USAGE* e) { EXTENDED_KEY_USAGE_free(e); }
using ExtKeyUsagePtr = std::unique_ptr<EXTENDED_KEY_USAGE, Deleter<EXTENDED_KEY_USAGE, FreeKeyUsage>>;

// Empties this thread's error queue. ERR_clear_error wipes all 16 slots whether or
// not any is used (about 850 instructions on OpenSSL 3.0, three times per HTTP
// request); the queue is nearly always empty, which its oldest and newest entries
// show (every error OpenSSL raises has a non-zero code).
inline void ClearErrors() {
  if (ERR_peek_error() != 0 || ERR_peek_last_error() != 0) ERR_clear_error();
}

// Clears whatever OpenSSL left on this thread's error queue when the scope ends,
// on every path: success, early return or exception.
class ClearErrorOnReturn {
 public:
  ClearErrorOnReturn() = default;
  ~ClearErrorOnReturn() { ClearErrors(); }
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

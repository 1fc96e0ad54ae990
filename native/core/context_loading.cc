// createSecureContext's PEM and PKCS#12 inputs into an SSL_CTX. No N-API here.
#include "core/context_loading.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <utility>

namespace otls {

namespace {

// A read-only memory BIO over bytes that outlive it. Null data is fine for
// empty bytes (BIO_new_mem_buf refuses null); more than INT_MAX bytes gives no
// BIO at all, as BIO_new_mem_buf would take a negative length for "up to the
// first NUL".
BioPtr InputBio(const unsigned char* data, size_t len) {
  static const unsigned char kEmpty[1] = {0};
  if (len > static_cast<size_t>(INT_MAX)) return nullptr;
  return MemoryBio(data != nullptr ? data : kEmpty, len);
}

// Whether reading stopped because no further PEM block was found: the normal
// end of a list of PEM objects, rather than a broken one.
bool QueueEndsWithNoStartLine() {
  unsigned long err = ERR_peek_last_error();
  return ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
}

}  // namespace

int PassphraseCallback(char* buf, int size, int /*rwflag*/, void* userdata) noexcept {
  const auto* pass = static_cast<const Passphrase*>(userdata);
  if (pass == nullptr || !pass->given || size <= 0) return 0;
  size_t n = std::min(pass->value.size(), static_cast<size_t>(size));
  // A pem_password_cb returns the length; OpenSSL wants no terminator.
  std::memcpy(buf, pass->value.data(), n);  // NOLINT(bugprone-not-null-terminated-result)
  return static_cast<int>(n);
}

LoadResult LoadPrivateKey(SSL_CTX* ctx, const unsigned char* data, size_t len, const Passphrase* pass) {
  BioPtr bio = InputBio(data, len);
  if (!bio) return LoadResult::QueueError("Failed to read private key");
  // The callback only reads through userdata; OpenSSL's signature is not const.
  void* userdata = const_cast<Passphrase*>(pass);
  EvpPkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, PassphraseCallback, userdata));
  if (!pkey) return LoadResult::QueueError("Failed to read private key");
  if (SSL_CTX_use_PrivateKey(ctx, pkey.get()) != 1) return LoadResult::QueueError("Failed to set private key");
  return LoadResult::Ok();
}

LoadResult LoadCertificate(SSL_CTX* ctx, const unsigned char* data, size_t len) {
  BioPtr bio = InputBio(data, len);
  if (!bio) return LoadResult::QueueError("Failed to read certificate");
  X509Ptr leaf(PEM_read_bio_X509_AUX(bio.get(), nullptr, PassphraseCallback, nullptr));
  if (!leaf) return LoadResult::QueueError("Failed to read certificate");
  std::vector<X509Ptr> chain;
  while (X509Ptr cert = X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, PassphraseCallback, nullptr))) {
    chain.push_back(std::move(cert));
  }
  if (!QueueEndsWithNoStartLine()) return LoadResult::QueueError("Failed to read certificate chain");
  ERR_clear_error();

  if (SSL_CTX_use_certificate(ctx, leaf.get()) != 1) return LoadResult::QueueError("Failed to set certificate");
  // The chain belongs to this certificate's slot (RSA, EC, ...), so an RSA and
  // an ECDSA certificate can each carry their own intermediates.
  if (SSL_CTX_clear_chain_certs(ctx) != 1) return LoadResult::QueueError("Failed to set certificate chain");
  for (const X509Ptr& cert : chain) {
    if (SSL_CTX_add1_chain_cert(ctx, cert.get()) != 1) {
      return LoadResult::QueueError("Failed to set certificate chain");
    }
  }
  return LoadResult::Ok();
}

LoadResult ReadCertificates(const unsigned char* data, size_t len, std::vector<X509Ptr>* certs) {
  certs->clear();
  if (len == 0) return LoadResult::Ok();
  BioPtr bio = InputBio(data, len);
  if (!bio) return LoadResult::QueueError("Failed to read certificates");
  while (X509Ptr cert = X509Ptr(PEM_read_bio_X509_AUX(bio.get(), nullptr, PassphraseCallback, nullptr))) {
    certs->push_back(std::move(cert));
  }
  if (certs->empty() || !QueueEndsWithNoStartLine()) return LoadResult::QueueError("Failed to read certificates");
  ERR_clear_error();
  return LoadResult::Ok();
}

LoadResult AddCACertificates(SSL_CTX* ctx, X509_STORE* store, const std::vector<X509Ptr>& certs) {
  for (const X509Ptr& cert : certs) {
    if (X509_STORE_add_cert(store, cert.get()) != 1) return LoadResult::QueueError("Failed to add CA certificate");
    // Also named in a server's CertificateRequest, so clients pick a fitting cert.
    if (SSL_CTX_add_client_CA(ctx, cert.get()) != 1) return LoadResult::QueueError("Failed to add CA certificate");
  }
  return LoadResult::Ok();
}

LoadResult ReadCrls(const unsigned char* data, size_t len, std::vector<X509CrlPtr>* crls) {
  crls->clear();
  if (BioPtr bio = InputBio(data, len)) {
    while (X509CrlPtr crl = X509CrlPtr(PEM_read_bio_X509_CRL(bio.get(), nullptr, PassphraseCallback, nullptr))) {
      crls->push_back(std::move(crl));
    }
  }
  // node:tls reports every unreadable CRL with this code and message.
  if (crls->empty() || !QueueEndsWithNoStartLine()) return LoadResult::OperationFailed("Failed to parse CRL");
  ERR_clear_error();
  return LoadResult::Ok();
}

LoadResult AddCrls(X509_STORE* store, const std::vector<X509CrlPtr>& crls) {
  for (const X509CrlPtr& crl : crls) {
    if (X509_STORE_add_crl(store, crl.get()) != 1) return LoadResult::QueueError("Failed to add CRL");
  }
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  return LoadResult::Ok();
}

LoadResult ReadPkcs12(const unsigned char* data, size_t len, const Passphrase* pass, Pkcs12Contents* out) {
  *out = Pkcs12Contents();
  BioPtr bio = InputBio(data, len);
  if (!bio) return LoadResult::OperationFailed("Unable to load PFX certificate");
  Pkcs12Ptr p12(d2i_PKCS12_bio(bio.get(), nullptr));
  if (!p12) {
    // Empty input fails without a word from OpenSSL; say what node:tls says.
    if (ERR_peek_error() == 0) ERR_raise(ERR_LIB_ASN1, ASN1_R_NOT_ENOUGH_DATA);
    return LoadResult::QueueError("Unable to load PFX certificate");
  }

  EVP_PKEY* raw_key = nullptr;
  X509* raw_cert = nullptr;
  STACK_OF(X509)* raw_extra = nullptr;
  const bool given = pass != nullptr && pass->given;
  int ok = PKCS12_parse(p12.get(), given ? pass->value.c_str() : nullptr, &raw_key, &raw_cert, &raw_extra);
  out->key.reset(raw_key);
  out->cert.reset(raw_cert);
  out->extra.reset(raw_extra);
  if (ok != 1) {
    // node:tls's answer when the bundle's algorithms are ones this OpenSSL does not
    // offer (RC2 and 3DES PFX files without the legacy provider), by the first error.
    const unsigned long first = ERR_peek_error();
    const int reason = ERR_GET_REASON(first);
    if (ERR_GET_LIB(first) == ERR_LIB_EVP && (reason == EVP_R_UNSUPPORTED_ALGORITHM || reason == ERR_R_UNSUPPORTED)) {
      return LoadResult::Unsupported("Unsupported PKCS12 PFX data");
    }
    return LoadResult::QueueError("Unable to load PFX certificate");
  }
  // node:tls's words, the key first when both are missing.
  if (!out->key) return LoadResult::OperationFailed("Unable to load private key from PFX data");
  if (!out->cert) return LoadResult::OperationFailed("Unable to load certificate from PFX data");
  return LoadResult::Ok();
}

LoadResult UsePkcs12(SSL_CTX* ctx, const Pkcs12Contents& contents, X509_STORE* store) {
  if (SSL_CTX_use_certificate(ctx, contents.cert.get()) != 1)
    return LoadResult::QueueError("Failed to set certificate");
  if (SSL_CTX_clear_chain_certs(ctx) != 1) return LoadResult::QueueError("Failed to set certificate chain");
  // The PFX's other certificates are the chain sent with ours, and are trusted
  // (and named to clients as acceptable CAs), as node:tls does.
  for (int i = 0; contents.extra && i < sk_X509_num(contents.extra.get()); ++i) {
    X509* ca = sk_X509_value(contents.extra.get(), i);
    if (store == nullptr || SSL_CTX_add1_chain_cert(ctx, ca) != 1 || X509_STORE_add_cert(store, ca) != 1 ||
        SSL_CTX_add_client_CA(ctx, ca) != 1) {
      return LoadResult::QueueError("Failed to add the PFX's CA certificates");
    }
  }
  if (SSL_CTX_use_PrivateKey(ctx, contents.key.get()) != 1) return LoadResult::QueueError("Failed to set private key");
  return LoadResult::Ok();
}

EvpPkeyPtr ReadDhParams(const unsigned char* data, size_t len) {
  BioPtr bio = InputBio(data, len);
  EvpPkeyPtr dh(bio ? PEM_read_bio_Parameters(bio.get(), nullptr) : nullptr);
  if (!dh || !(EVP_PKEY_is_a(dh.get(), "DH") || EVP_PKEY_is_a(dh.get(), "DHX"))) return nullptr;
  return dh;
}

}  // namespace otls

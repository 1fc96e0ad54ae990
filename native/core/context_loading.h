// Loading createSecureContext's key, cert, ca, crl, pfx and dhparam bytes into
// an SSL_CTX. No N-API here, so a fuzzer can link it without node
// (native/fuzz/fuzz_context_loading.cc); native/binding/secure_context.cc calls these
// and turns a failure into Node's error.
//
// Every step leaves OpenSSL's error queue to its caller: on failure it holds
// OpenSSL's reasons (LoadResult says how Node reports them); on success it may
// hold leftovers, which the caller clears (ClearErrorOnReturn).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/ossl.h"

namespace otls {

// How a step ended. Failures come in two kinds, as node:tls reports them:
// from_queue: an error built from OpenSSL's queue, `message` being the text
// when the queue is empty; otherwise ERR_CRYPTO_OPERATION_FAILED with `message`.
struct LoadResult {
  bool ok = true;
  bool from_queue = false;
  const char* message = nullptr;
  const char* code = "ERR_CRYPTO_OPERATION_FAILED";  // when not from_queue

  static LoadResult Ok() { return LoadResult(); }
  static LoadResult QueueError(const char* fallback) { return LoadResult{false, true, fallback}; }
  static LoadResult OperationFailed(const char* message) { return LoadResult{false, false, message}; }
  static LoadResult Unsupported(const char* message) {
    return LoadResult{false, false, message, "ERR_CRYPTO_UNSUPPORTED_OPERATION"};
  }
};

// A passphrase as OpenSSL's pem_password_cb sees it (userdata points here).
// given=false: none was passed (not the same as an empty one for a PFX).
struct Passphrase {
  bool given = false;
  std::string value;
  Passphrase() = default;
  Passphrase(const Passphrase&) = delete;
  Passphrase& operator=(const Passphrase&) = delete;
  ~Passphrase() { OPENSSL_cleanse(value.data(), value.size()); }
};

// pem_password_cb over a Passphrase (or null): copies it; without one it answers
// with an empty passphrase, so an encrypted key fails as a bad decrypt (node:tls's
// code) and OpenSSL never falls back to prompting on the terminal.
int PassphraseCallback(char* buf, int size, int rwflag, void* userdata) noexcept;

// key: the first PEM private key in the bytes, decrypted with pass (may be
// null), set as the context's key. With a certificate of the same key type
// already set, OpenSSL checks here that the two match ("key values mismatch").
LoadResult LoadPrivateKey(SSL_CTX* ctx, const unsigned char* data, size_t len, const Passphrase* pass);

// cert: the first PEM certificate is the context's certificate, the ones after
// it its chain (replacing the chain of that certificate's slot).
LoadResult LoadCertificate(SSL_CTX* ctx, const unsigned char* data, size_t len);

// ca: every PEM certificate in the bytes (plain or TRUSTED CERTIFICATE); none
// for empty bytes. Fails on a broken PEM block, and when non-empty bytes hold
// no certificate at all.
LoadResult ReadCertificates(const unsigned char* data, size_t len, std::vector<X509Ptr>* certs);
// Trusts certs in store and names them to clients as acceptable CAs.
LoadResult AddCACertificates(SSL_CTX* ctx, X509_STORE* store, const std::vector<X509Ptr>& certs);

// crl: every PEM CRL in the bytes; fails (as node:tls does, without OpenSSL's
// reasons) when there is none or a block is broken.
LoadResult ReadCrls(const unsigned char* data, size_t len, std::vector<X509CrlPtr>* crls);
// Adds crls to store and turns CRL checking on for the whole chain.
LoadResult AddCrls(X509_STORE* store, const std::vector<X509CrlPtr>& crls);

// pfx: what a PKCS#12 file holds.
struct Pkcs12Contents {
  EvpPkeyPtr key;
  X509Ptr cert;
  X509StackPtr extra;  // the other certificates: may be null
  bool HasExtra() const { return extra && sk_X509_num(extra.get()) > 0; }
};
// Parses DER PKCS#12 bytes with pass (null or not given: no password). Fails
// when it cannot be read, or lacks the private key or the certificate that
// goes with it (ERR_CRYPTO_OPERATION_FAILED naming which, as node:tls does).
LoadResult ReadPkcs12(const unsigned char* data, size_t len, const Passphrase* pass, Pkcs12Contents* out);
// Sets the certificate, its chain (the other certificates, also trusted in
// store and named to clients as acceptable CAs) and the key. store may be
// null only when !contents.HasExtra().
LoadResult UsePkcs12(SSL_CTX* ctx, const Pkcs12Contents& contents, X509_STORE* store);

// dhparam: PEM DH parameters, or null when they cannot be read or are not DH
// (node:tls then drops them silently).
EvpPkeyPtr ReadDhParams(const unsigned char* data, size_t len);

}  // namespace otls

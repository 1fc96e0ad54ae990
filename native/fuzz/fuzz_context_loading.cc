// Fuzz target: createSecureContext's key/cert/ca/crl/pfx/dhparam loading
// (native/core/context_loading.cc) over arbitrary bytes, a fresh SSL_CTX per input.
// fuzz-options: -max_len=16384 -timeout=10
//
// Input format (test/fuzz-regressions.test.ts decodes the same, to replay an
// input through createSecureContext):
//   byte 0: the operation, modulo kOperations
//     0 cert      rest: cert PEM (leaf and chain)
//     1 key       passphrase, rest: key PEM
//     2 ca        rest: CA PEM
//     3 crl       rest: CRL PEM
//     4 pfx       passphrase, rest: PKCS#12 DER
//     5 cert+key  2 bytes big-endian N, N bytes cert PEM, passphrase, rest: key PEM
//                 (a key after a certificate: the key-mismatch check)
//     6 dhparam   rest: DH parameters PEM
//   passphrase: 1 byte L; 0xff: none given; otherwise the next L bytes (fewer
//   if the input ends first).
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/context_loading.h"
#include "core/ossl.h"

namespace {

constexpr uint8_t kOperations = 7;

class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t Byte() {
    if (pos_ >= size_) return 0;
    return data_[pos_++];
  }
  // Up to n bytes (fewer at the end).
  const uint8_t* Take(size_t n, size_t* got) {
    *got = std::min(n, size_ - pos_);
    const uint8_t* p = data_ + pos_;
    pos_ += *got;
    return p;
  }
  void TakePassphrase(otls::Passphrase* pass) {
    if (pos_ >= size_) return;
    uint8_t len = Byte();
    if (len == 0xff) return;
    size_t got = 0;
    const uint8_t* p = Take(len, &got);
    pass->given = true;
    pass->value.assign(reinterpret_cast<const char*>(p), got);
  }
  const uint8_t* Rest(size_t* got) { return Take(size_ - pos_, got); }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// A failed step must say how to report it.
void Check(const otls::LoadResult& result) {
  if (!result.ok && result.message == nullptr) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  otls::SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
  if (!ctx) abort();
  X509_STORE* store = SSL_CTX_get_cert_store(ctx.get());

  Input in(data, size);
  const uint8_t op = in.Byte() % kOperations;
  size_t len = 0;
  switch (op) {
    case 0: {
      const uint8_t* pem = in.Rest(&len);
      Check(otls::LoadCertificate(ctx.get(), pem, len));
      break;
    }
    case 1: {
      otls::Passphrase pass;
      in.TakePassphrase(&pass);
      const uint8_t* pem = in.Rest(&len);
      Check(otls::LoadPrivateKey(ctx.get(), pem, len, &pass));
      break;
    }
    case 2: {
      const uint8_t* pem = in.Rest(&len);
      std::vector<otls::X509Ptr> certs;
      otls::LoadResult read = otls::ReadCertificates(pem, len, &certs);
      Check(read);
      if (read.ok) Check(otls::AddCACertificates(ctx.get(), store, certs));
      break;
    }
    case 3: {
      const uint8_t* pem = in.Rest(&len);
      std::vector<otls::X509CrlPtr> crls;
      otls::LoadResult read = otls::ReadCrls(pem, len, &crls);
      Check(read);
      if (read.ok) Check(otls::AddCrls(store, crls));
      break;
    }
    case 4: {
      otls::Passphrase pass;
      in.TakePassphrase(&pass);
      const uint8_t* der = in.Rest(&len);
      otls::Pkcs12Contents contents;
      otls::LoadResult read = otls::ReadPkcs12(der, len, &pass, &contents);
      Check(read);
      if (read.ok) Check(otls::UsePkcs12(ctx.get(), contents, store));
      break;
    }
    case 5: {
      size_t cert_len = static_cast<size_t>(in.Byte()) << 8;
      cert_len |= in.Byte();
      const uint8_t* cert = in.Take(cert_len, &cert_len);
      otls::Passphrase pass;
      in.TakePassphrase(&pass);
      const uint8_t* key = in.Rest(&len);
      otls::LoadResult loaded = otls::LoadCertificate(ctx.get(), cert, cert_len);
      Check(loaded);
      ERR_clear_error();
      Check(otls::LoadPrivateKey(ctx.get(), key, len, &pass));
      break;
    }
    case 6: {
      const uint8_t* pem = in.Rest(&len);
      otls::EvpPkeyPtr dh = otls::ReadDhParams(pem, len);
      if (dh && EVP_PKEY_get_bits(dh.get()) >= 1024 && SSL_CTX_set0_tmp_dh_pkey(ctx.get(), dh.get()) == 1) {
        (void)dh.release();  // owned by the SSL_CTX now
      }
      break;
    }
    default:
      abort();
  }
  ERR_clear_error();
  return 0;
}

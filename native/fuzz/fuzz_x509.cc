// Fuzz target: certificate-to-object conversion (native/core/x509_fields.cc) over
// arbitrary bytes, read as DER (what certificateToObject and a peer's chain
// give) and as PEM (what createSecureContext's cert/ca give).
// fuzz-options: -max_len=16384 -timeout=10
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/context_loading.h"
#include "core/ossl.h"
#include "core/x509_fields.h"

namespace {

// What every certificate read must come out as; aborts (a finding) if not.
void CheckFields(X509* cert) {
  otls::CertificateFields fields;
  const char* failure = nullptr;
  if (otls::ReadCertificateFields(cert, &fields, &failure)) {
    // A certificate that was read always has its DER, three fingerprints
    // and a serial number.
    if (fields.raw.empty() || fields.fingerprint.size() != 59 || fields.fingerprint256.size() != 95 ||
        fields.fingerprint512.size() != 191 || fields.serial_number.empty()) {
      abort();
    }
    if (fields.rsa && (fields.rsa->pubkey.empty() || fields.rsa->exponent.rfind("0x", 0) != 0)) abort();
  } else if (failure == nullptr) {
    abort();  // a failure must say what failed
  }
  ERR_clear_error();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > static_cast<size_t>(INT_MAX)) return 0;

  // DER, as certificateToObject() reads it.
  const unsigned char* p = data;
  if (otls::X509Ptr cert{d2i_X509(nullptr, &p, static_cast<long>(size))}) CheckFields(cert.get());
  ERR_clear_error();

  // PEM, every certificate in the bytes (plain or TRUSTED CERTIFICATE).
  otls::BioPtr bio = otls::MemoryBio(size > 0 ? data : reinterpret_cast<const uint8_t*>(""), size);
  for (int i = 0; bio && i < 8; ++i) {
    otls::X509Ptr cert{PEM_read_bio_X509_AUX(bio.get(), nullptr, otls::PassphraseCallback, nullptr)};
    if (!cert) break;
    CheckFields(cert.get());
  }
  ERR_clear_error();
  return 0;
}

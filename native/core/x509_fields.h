// What Node's legacy certificate object says about one X509, read into plain
// C++ values: no N-API here, so a fuzzer can link it without node
// (native/fuzz/fuzz_x509.cc). native/binding/x509.cc turns the result into the JS
// object; every string is already printed the way Node prints it.
#pragma once

#include <openssl/x509.h>

#include <optional>
#include <string>
#include <vector>

namespace otls {

// One property of a subject, issuer or infoAccess object, in first-seen order.
// For subject and issuer one value is a string and more are an array; for
// infoAccess the values are always an array.
struct NameField {
  std::string key;
  std::vector<std::string> values;
};
using NameFields = std::vector<NameField>;

// Whether an extension-backed property is there: absent (no such extension),
// null (the extension cannot be read) or a value.
enum class Presence { kAbsent, kNull, kValue };

struct RsaKeyFields {
  std::string modulus;  // upper-case hex, no leading zeros
  int bits = 0;
  std::string exponent;               // "0x10001"
  std::vector<unsigned char> pubkey;  // SubjectPublicKeyInfo DER
};

struct EcKeyFields {
  int bits = 0;
  std::optional<std::vector<unsigned char>> pubkey;  // the uncompressed point
  std::optional<std::string> asn1_curve;
  std::optional<std::string> nist_curve;
};

struct CertificateFields {
  std::optional<NameFields> subject;  // nothing when a value cannot be made UTF-8
  std::optional<NameFields> issuer;
  Presence subjectaltname_presence = Presence::kAbsent;
  std::string subjectaltname;
  Presence info_access_presence = Presence::kAbsent;
  NameFields info_access;
  bool ca = false;
  std::optional<RsaKeyFields> rsa;
  std::optional<EcKeyFields> ec;
  std::string valid_from;
  std::string valid_to;
  std::string fingerprint;  // SHA-1, "AB:CD:..."
  std::string fingerprint256;
  std::string fingerprint512;
  std::optional<std::vector<std::string>> ext_key_usage;  // dotted OIDs
  std::string serial_number;                              // upper-case hex
  std::vector<unsigned char> raw;                         // the certificate's DER
};

// Reads everything Node's object shows about cert into *out. Returns false
// when OpenSSL fails at something Node's object cannot do without (allocation,
// encoding, a digest): *failure then names the step, and OpenSSL's error queue
// holds its reasons for the caller to report. Never throws for a certificate's
// contents: what cannot be read is left out or null, as Node does. Does not
// clear the error queue either way.
bool ReadCertificateFields(X509* cert, CertificateFields* out, const char** failure);

}  // namespace otls

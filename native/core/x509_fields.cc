// X509 certificates read into plain values, printed the way Node prints them,
// so that native/binding/x509.cc's objects compare deepEqual with
// crypto.X509Certificate#toLegacyObject(). No N-API in here.
#include "core/x509_fields.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/narrow.h"
#include "core/ossl.h"

namespace otls {

namespace {

// Node's flags for a directoryName inside subjectaltname: RFC 2253, but bytes
// above 0x7f and control characters are left as they are (the JSON quoting
// below takes care of the control characters).
constexpr unsigned long kDirNameFlags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB & ~ASN1_STRFLGS_ESC_CTRL;

// Properties in first-seen order, found again by key.
class OrderedFields {
 public:
  explicit OrderedFields(NameFields* fields) : fields_(fields) {}
  void Add(const std::string& key, std::string value) {
    auto found = index_.find(key);
    if (found == index_.end()) {
      index_.emplace(key, fields_->size());
      fields_->push_back(NameField{key, {std::move(value)}});
    } else {
      (*fields_)[found->second].values.push_back(std::move(value));
    }
  }

 private:
  NameFields* fields_;
  std::map<std::string, size_t> index_;
};

std::string BioContents(BIO* bio) {
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  if (mem == nullptr || mem->data == nullptr) return std::string();
  return std::string(mem->data, mem->length);
}

// OBJ_obj2txt into a std::string; numeric forces the dotted form.
std::string ObjectText(const ASN1_OBJECT* obj, bool numeric) {
  char buf[128];
  int n = OBJ_obj2txt(buf, sizeof(buf), obj, numeric ? 1 : 0);
  if (n <= 0) return std::string();
  if (static_cast<size_t>(n) < sizeof(buf)) return std::string(buf, static_cast<size_t>(n));
  std::vector<char> big(static_cast<size_t>(n) + 1);
  n = OBJ_obj2txt(big.data(), SaturatedCast<int>(big.size()), obj, numeric ? 1 : 0);
  return n > 0 ? std::string(big.data(), static_cast<size_t>(n)) : std::string();
}

void AppendHexByte(std::string* out, unsigned char b, const char* digits) {
  out->push_back(digits[b >> 4]);
  out->push_back(digits[b & 0xf]);
}

// ---- Names in subjectaltname / infoAccess --------------------------------

// Node's rule: a name that could be misread inside the ", "-separated list is
// written as a JSON string. In UTF-8 text bytes above 0x7f are fine; in
// IA5String names (DNS, URI, email, SRVName) they are escaped one by one.
bool IsSafeNameByte(unsigned char c, bool utf8) {
  if (c >= 0x80) return utf8;
  if (c < 0x20 || c == 0x7f) return false;
  return c != ',' && c != '"' && c != '\'' && c != '\\';
}

void AppendName(std::string* out, const unsigned char* data, size_t len, bool utf8) {
  bool safe = true;
  for (size_t i = 0; i < len && safe; ++i) safe = IsSafeNameByte(data[i], utf8);
  if (safe) {
    out->append(reinterpret_cast<const char*>(data), len);
    return;
  }
  out->push_back('"');
  for (size_t i = 0; i < len; ++i) {
    unsigned char c = data[i];
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c == '\'' || IsSafeNameByte(c, utf8)) {
      out->push_back(static_cast<char>(c));
    } else {
      out->append("\\u00");
      AppendHexByte(out, c, "0123456789abcdef");
    }
  }
  out->push_back('"');
}

void AppendName(std::string* out, const std::string& s, bool utf8) {
  AppendName(out, reinterpret_cast<const unsigned char*>(s.data()), s.size(), utf8);
}

void AppendString(std::string* out, const ASN1_STRING* s, bool utf8) {
  AppendName(out, ASN1_STRING_get0_data(s), static_cast<size_t>(ASN1_STRING_length(s)), utf8);
}

void AppendIpAddress(std::string* out, const ASN1_OCTET_STRING* ip) {
  const unsigned char* b = ASN1_STRING_get0_data(ip);
  int len = ASN1_STRING_length(ip);
  char buf[64];
  if (len == 4) {
    snprintf(buf, sizeof(buf), "%d.%d.%d.%d", b[0], b[1], b[2], b[3]);
    out->append(buf);
  } else if (len == 16) {
    for (int i = 0; i < 16; i += 2) {
      snprintf(buf, sizeof(buf), i == 0 ? "%X" : ":%X", (b[i] << 8) | b[i + 1]);
      out->append(buf);
    }
  } else {
    snprintf(buf, sizeof(buf), "<invalid length=%d>", len);
    out->append(buf);
  }
}

// otherName values Node knows how to print: the prefix and the string type it must have.
struct OtherNameKind {
  int nid;
  const char* prefix;
  int type;
};

constexpr OtherNameKind kOtherNames[] = {
    {NID_id_on_SmtpUTF8Mailbox, "SmtpUTF8Mailbox:", V_ASN1_UTF8STRING},
    {NID_XmppAddr, "XmppAddr:", V_ASN1_UTF8STRING},
    {NID_SRVName, "SRVName:", V_ASN1_IA5STRING},
    {NID_ms_upn, "UPN:", V_ASN1_UTF8STRING},
    {NID_NAIRealm, "NAIRealm:", V_ASN1_UTF8STRING},
};

void AppendOtherName(std::string* out, const OTHERNAME* other) {
  int nid = OBJ_obj2nid(other->type_id);
  for (const OtherNameKind& kind : kOtherNames) {
    if (kind.nid != nid) continue;
    const ASN1_TYPE* value = other->value;
    if (value == nullptr || value->type != kind.type) break;
    const ASN1_STRING* s = value->value.asn1_string;
    std::string text = kind.prefix;
    text.append(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<size_t>(ASN1_STRING_length(s)));
    AppendName(out, text, kind.type == V_ASN1_UTF8STRING);
    return;
  }
  out->append("<unsupported>");
}

// One GeneralName as "Type:value", the way Node lists it in subjectaltname.
bool AppendGeneralName(std::string* out, const GENERAL_NAME* gen) {
  switch (gen->type) {
    case GEN_DNS:
      out->append("DNS:");
      AppendString(out, gen->d.dNSName, false);
      return true;
    case GEN_URI:
      out->append("URI:");
      AppendString(out, gen->d.uniformResourceIdentifier, false);
      return true;
    case GEN_EMAIL:
      out->append("email:");
      AppendString(out, gen->d.rfc822Name, false);
      return true;
    case GEN_IPADD:
      out->append("IP Address:");
      AppendIpAddress(out, gen->d.iPAddress);
      return true;
    case GEN_RID:
      out->append("Registered ID:");
      out->append(ObjectText(gen->d.registeredID, true));
      return true;
    case GEN_DIRNAME: {
      BioPtr bio(BIO_new(BIO_s_mem()));
      if (!bio || X509_NAME_print_ex(bio.get(), gen->d.directoryName, 0, kDirNameFlags) < 0) return false;
      out->append("DirName:");
      AppendName(out, BioContents(bio.get()), true);
      return true;
    }
    case GEN_OTHERNAME:
      out->append("othername:");
      AppendOtherName(out, gen->d.otherName);
      return true;
    case GEN_X400:
      out->append("X400Name:<unsupported>");
      return true;
    case GEN_EDIPARTY:
      out->append("EdiPartyName:<unsupported>");
      return true;
    default:
      return false;
  }
}

// The extension of this kind, decoded; Node looks at the first one only.
// *present says whether the certificate has one at all.
template <typename T>
T* FirstExtension(X509* cert, int nid, bool* present) {
  int index = X509_get_ext_by_NID(cert, nid, -1);
  *present = index >= 0;
  if (index < 0) return nullptr;
  return static_cast<T*>(X509V3_EXT_d2i(X509_get_ext(cert, index)));
}

// subjectaltname: the string, null when the extension cannot be read, or
// nothing when there is none.
void SubjectAltName(X509* cert, CertificateFields* out) {
  bool present = false;
  GeneralNamesPtr names(FirstExtension<GENERAL_NAMES>(cert, NID_subject_alt_name, &present));
  if (!present) return;
  out->subjectaltname_presence = Presence::kNull;
  if (!names) return;
  std::string text;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    if (i > 0) text.append(", ");
    if (!AppendGeneralName(&text, sk_GENERAL_NAME_value(names.get(), i))) return;
  }
  out->subjectaltname = std::move(text);
  out->subjectaltname_presence = Presence::kValue;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string* out, unsigned cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Undoes AppendName's JSON quoting: what JSON.parse gives, as UTF-8.
std::string Unquote(const std::string& s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return s;
  std::string out;
  const size_t end = s.size() - 1;  // the closing quote
  for (size_t i = 1; i < end; ++i) {
    if (s[i] != '\\' || i + 1 >= end) {
      out.push_back(s[i]);
      continue;
    }
    char e = s[++i];
    if (e != 'u' || i + 4 >= end) {
      out.push_back(e);
      continue;
    }
    unsigned cp = 0;
    for (size_t k = 1; k <= 4; ++k) cp = (cp << 4) | static_cast<unsigned>(HexDigit(s[i + k]) & 0xf);
    i += 4;
    AppendUtf8(&out, cp);
  }
  return out;
}

// infoAccess: { "<method> - <type>": [values] }, null when the extension
// cannot be read, nothing when there is none. Node builds it by splitting each
// "<method> - <type>:<value>" line at its first colon and unquoting the value.
void InfoAccess(X509* cert, CertificateFields* out) {
  bool present = false;
  AccessInfoPtr info(FirstExtension<AUTHORITY_INFO_ACCESS>(cert, NID_info_access, &present));
  if (!present) return;
  out->info_access_presence = Presence::kNull;
  if (!info) return;
  NameFields fields;
  OrderedFields ordered(&fields);
  for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(info.get()); ++i) {
    const ACCESS_DESCRIPTION* desc = sk_ACCESS_DESCRIPTION_value(info.get(), i);
    std::string line = ObjectText(desc->method, false) + " - ";
    if (!AppendGeneralName(&line, desc->location)) return;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    ordered.Add(line.substr(0, colon), Unquote(line.substr(colon + 1)));
  }
  out->info_access = std::move(fields);
  out->info_access_presence = Presence::kValue;
}

// ---- Subject and issuer ----------------------------------------------------

// { C: 'US', OU: ['a', 'b'], ... }: short names (dotted OIDs for unknown
// attributes), UTF-8 values, a repeated attribute as an array in first-seen
// position. When an attribute cannot be made UTF-8, Node leaves out the whole
// name (no subject or issuer property), and so do we: nothing.
std::optional<NameFields> ReadName(const X509_NAME* name) {
  NameFields fields;
  OrderedFields ordered(&fields);
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    const ASN1_OBJECT* obj = X509_NAME_ENTRY_get_object(entry);
    int nid = OBJ_obj2nid(obj);
    const char* sn = nid == NID_undef ? nullptr : OBJ_nid2sn(nid);
    std::string key = sn != nullptr ? std::string(sn) : ObjectText(obj, true);

    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    if (len < 0) return std::nullopt;
    OpenSSLBytes owned(utf8);
    ordered.Add(key, std::string(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len)));
  }
  return fields;
}

// ---- Public key ----------------------------------------------------------

bool BignumHex(const BIGNUM* bn, std::string* out) {
  OpenSSLString hex(BN_bn2hex(bn));
  if (!hex) return false;
  *out = hex.get();
  return true;
}

bool PublicKeyInfoDer(EVP_PKEY* pkey, std::vector<unsigned char>* out) {
  int len = i2d_PUBKEY(pkey, nullptr);
  if (len <= 0) return false;
  out->resize(static_cast<size_t>(len));
  unsigned char* p = out->data();
  return i2d_PUBKEY(pkey, &p) == len;
}

// Sets *failure and returns false: the one way out of a step that failed.
bool Fail(const char** failure, const char* what) {
  *failure = what;
  return false;
}

bool ReadRsaKey(EVP_PKEY* pkey, CertificateFields* out, const char** failure) {
  BIGNUM* n_raw = nullptr;
  BIGNUM* e_raw = nullptr;
  EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n_raw);
  BignumPtr n(n_raw);
  EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e_raw);
  BignumPtr e(e_raw);
  if (!n || !e) return Fail(failure, "Failed to read the RSA public key");

  RsaKeyFields rsa;
  // Node prints the modulus without leading zero digits.
  if (!BignumHex(n.get(), &rsa.modulus)) return Fail(failure, "Failed to format a number");
  size_t first = rsa.modulus.find_first_not_of('0');
  rsa.modulus = first == std::string::npos ? "0" : rsa.modulus.substr(first);
  rsa.bits = BN_num_bits(n.get());
  char exponent[32];
  snprintf(exponent, sizeof(exponent), "0x%llx", static_cast<unsigned long long>(BN_get_word(e.get())));
  rsa.exponent = exponent;
  if (!PublicKeyInfoDer(pkey, &rsa.pubkey)) return Fail(failure, "Failed to encode the public key");
  out->rsa = std::move(rsa);
  return true;
}

// The EC point, always uncompressed, whatever form the certificate used.
std::optional<std::vector<unsigned char>> EcPoint(EVP_PKEY* pkey) {
  EvpPkeyPtr copy(EVP_PKEY_dup(pkey));
  if (!copy || !EVP_PKEY_set_utf8_string_param(copy.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                               OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED)) {
    return std::nullopt;
  }
  size_t len = 0;
  if (!EVP_PKEY_get_octet_string_param(copy.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0, &len)) {
    return std::nullopt;
  }
  std::vector<unsigned char> point(len);
  if (!EVP_PKEY_get_octet_string_param(copy.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point.data(), len, &len)) {
    return std::nullopt;
  }
  point.resize(len);
  return point;
}

void ReadEcKey(EVP_PKEY* pkey, CertificateFields* out) {
  EcKeyFields ec;
  ec.bits = EVP_PKEY_get_bits(pkey);
  ec.pubkey = EcPoint(pkey);

  char group[80];
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &len)) {
    int nid = OBJ_txt2nid(group);
    if (nid == NID_undef) nid = EC_curve_nist2nid(group);
    if (nid != NID_undef) {
      if (const char* sn = OBJ_nid2sn(nid)) ec.asn1_curve = sn;
      if (const char* nist = EC_curve_nid2nist(nid)) ec.nist_curve = nist;
    }
  }
  out->ec = std::move(ec);
}

// ---- Dates, digests ------------------------------------------------------

bool TimeText(const ASN1_TIME* t, std::string* out) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return false;
  ASN1_TIME_print(bio.get(), t);
  *out = BioContents(bio.get());
  return true;
}

bool Fingerprint(X509* cert, const EVP_MD* md, std::string* out) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!X509_digest(cert, md, digest, &len)) return false;
  out->clear();
  for (unsigned int i = 0; i < len; ++i) {
    if (i > 0) out->push_back(':');
    AppendHexByte(out, digest[i], "0123456789ABCDEF");
  }
  return true;
}

}  // namespace

bool ReadCertificateFields(X509* cert, CertificateFields* out, const char** failure) {
  *out = CertificateFields();
  *failure = nullptr;
  out->subject = ReadName(X509_get_subject_name(cert));
  out->issuer = ReadName(X509_get_issuer_name(cert));
  SubjectAltName(cert, out);
  InfoAccess(cert, out);
  out->ca = X509_check_ca(cert) == 1;

  if (EVP_PKEY* pkey = X509_get0_pubkey(cert)) {
    switch (EVP_PKEY_get_id(pkey)) {
      case EVP_PKEY_RSA:
        if (!ReadRsaKey(pkey, out, failure)) return false;
        break;
      case EVP_PKEY_EC:
        ReadEcKey(pkey, out);
        break;
      default:
        break;
    }
  }

  if (!TimeText(X509_get0_notBefore(cert), &out->valid_from) || !TimeText(X509_get0_notAfter(cert), &out->valid_to)) {
    return Fail(failure, "Failed to allocate a BIO");
  }
  if (!Fingerprint(cert, EVP_sha1(), &out->fingerprint) || !Fingerprint(cert, EVP_sha256(), &out->fingerprint256) ||
      !Fingerprint(cert, EVP_sha512(), &out->fingerprint512)) {
    return Fail(failure, "Failed to compute a fingerprint");
  }

  // X509_get_ext_d2i gives nothing for a repeated or unreadable extension, and so does Node.
  ExtKeyUsagePtr eku(static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr)));
  if (eku) {
    std::vector<std::string> list;
    list.reserve(static_cast<size_t>(std::max(0, sk_ASN1_OBJECT_num(eku.get()))));
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
      list.push_back(ObjectText(sk_ASN1_OBJECT_value(eku.get(), i), true));
    }
    out->ext_key_usage = std::move(list);
  }

  BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!serial) return Fail(failure, "Failed to read the serial number");
  if (!BignumHex(serial.get(), &out->serial_number)) return Fail(failure, "Failed to format a number");

  int len = i2d_X509(cert, nullptr);
  if (len <= 0) return Fail(failure, "Failed to encode the certificate");
  out->raw.resize(static_cast<size_t>(len));
  unsigned char* p = out->raw.data();
  if (i2d_X509(cert, &p) != len) return Fail(failure, "Failed to encode the certificate");
  return true;
}

}  // namespace otls

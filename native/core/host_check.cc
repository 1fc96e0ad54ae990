// The client's host name check in C, for the default checkServerIdentity only:
// "surely matches" or "unsure", never a certificate object. See host_check.h.
//
// The rules are node's tls.checkServerIdentity (and lib/check_server_identity.ts)
// restricted to the cases where nothing but DNS names decides: the host is
// compared label by label, ASCII case-insensitively, with the certificate's DNS
// names; a '*' may stand in the left-most label of a name with at least three
// labels, once, for any run of the host's first label that leaves room for the
// label's other characters; a left-most label holding "xn--" is compared as is.
// Everything else (IP hosts, CN fallback, names with other characters, other
// kinds of subjectAltName entry) is "unsure", and the JS check decides.
#include "core/host_check.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <vector>

#include "core/ossl.h"

namespace otls {

namespace {

// One DER element: where its content is and how it is tagged.
struct Element {
  const unsigned char* content = nullptr;
  long length = 0;
  int tag = 0;
  int cls = 0;
  bool constructed = false;
};

// Reads the element at *p (definite length, inside [*p, end)) and moves *p past it.
bool NextElement(const unsigned char** p, const unsigned char* end, Element* e) {
  if (*p >= end) return false;
  const unsigned char* q = *p;
  int ret = ASN1_get_object(&q, &e->length, &e->tag, &e->cls, end - *p);
  if ((ret & 0x80) != 0 || (ret & 0x01) != 0) return false;  // error; indefinite length
  if (e->length < 0 || e->length > end - q) return false;
  e->content = q;
  e->constructed = (ret & V_ASN1_CONSTRUCTED) != 0;
  *p = q + e->length;
  return true;
}

bool IsSequence(const Element& e) { return e.cls == V_ASN1_UNIVERSAL && e.tag == V_ASN1_SEQUENCE && e.constructed; }

// The extensions of a DER certificate, found by walking Certificate ->
// TBSCertificate -> its [3] element and decoded with d2i_X509_EXTENSIONS, as
// d2i_X509 would decode them. *ok is false when the bytes are not what we expect.
ExtensionsPtr CertificateExtensions(const unsigned char* der, size_t length, bool* ok) {
  *ok = false;
  const unsigned char* p = der;
  const unsigned char* end = der + length;
  Element cert;
  if (!NextElement(&p, end, &cert) || p != end || !IsSequence(cert)) return nullptr;
  const unsigned char* c = cert.content;
  Element tbs;
  if (!NextElement(&c, cert.content + cert.length, &tbs) || !IsSequence(tbs)) return nullptr;
  const unsigned char* t = tbs.content;
  const unsigned char* tbs_end = tbs.content + tbs.length;
  Element extensions;
  bool found = false;
  while (t < tbs_end) {
    Element e;
    if (!NextElement(&t, tbs_end, &e)) return nullptr;
    if (e.cls != V_ASN1_CONTEXT_SPECIFIC || e.tag != 3) continue;
    if (found || !e.constructed) return nullptr;
    extensions = e;
    found = true;
  }
  *ok = true;
  if (!found) return nullptr;
  const unsigned char* x = extensions.content;
  ExtensionsPtr decoded(d2i_X509_EXTENSIONS(nullptr, &x, extensions.length));
  if (!decoded || x != extensions.content + extensions.length) *ok = false;
  return decoded;
}

bool IsLdh(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Only A-Z, as node lower-cases.
std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string_view> SplitLabels(std::string_view s) {
  std::vector<std::string_view> labels;
  size_t start = 0;
  for (;;) {
    size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) {
      labels.push_back(s.substr(start));
      return labels;
    }
    labels.push_back(s.substr(start, dot - start));
    start = dot + 1;
  }
}

// The host as checkServerIdentity reads it (one trailing dot dropped, lower
// case, split at dots) into *lowered and *labels; false when unsure: not plain
// LDH labels, a second trailing dot (node drops that too), an empty label, or
// a last label of digits only (the host may be an IPv4 address, matched
// against IP entries).
bool HostLabels(std::string_view host, std::string* lowered, std::vector<std::string_view>* labels) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || host.back() == '.') return false;
  for (char c : host) {
    if (c != '.' && !IsLdh(static_cast<unsigned char>(c))) return false;
  }
  *lowered = LowerAscii(host);
  *labels = SplitLabels(*lowered);
  for (std::string_view label : *labels) {
    if (label.empty()) return false;
  }
  std::string_view last = labels->back();
  bool digits_only = true;
  for (char c : last) digits_only = digits_only && IsDigit(c);
  return !digits_only;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// One lower-cased DNS name of plain characters against the host's labels.
bool NameMatches(const std::vector<std::string_view>& host, std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::vector<std::string_view> labels = SplitLabels(name);
  if (labels.size() != host.size()) return false;
  for (std::string_view label : labels) {
    if (label.empty()) return false;
  }
  for (size_t i = 1; i < labels.size(); ++i) {
    if (labels[i] != host[i]) return false;
  }
  std::string_view first = labels[0];
  std::string_view host_first = host[0];
  size_t star = first.find('*');
  if (star == std::string_view::npos || first.find("xn--") != std::string_view::npos) return first == host_first;
  if (first.find('*', star + 1) != std::string_view::npos) return false;
  if (labels.size() <= 2) return false;
  std::string_view prefix = first.substr(0, star);
  std::string_view suffix = first.substr(star + 1);
  return host_first.size() >= prefix.size() + suffix.size() && StartsWith(host_first, prefix) &&
         EndsWith(host_first, suffix);
}

// A DNS name node prints as is and compares as is: LDH, '.', '*'.
bool IsPlainDnsName(const ASN1_IA5STRING* s) {
  const unsigned char* data = ASN1_STRING_get0_data(s);
  int len = ASN1_STRING_length(s);
  if (data == nullptr || len <= 0) return false;
  for (int i = 0; i < len; ++i) {
    if (data[i] != '.' && data[i] != '*' && !IsLdh(data[i])) return false;
  }
  return true;
}

}  // namespace

bool CertificateSurelyNamesHost(const unsigned char* der, size_t length, std::string_view host) {
  ClearErrorOnReturn clear;  // a malformed DER leaves errors on the queue
  std::string lowered;
  std::vector<std::string_view> labels;
  if (der == nullptr || !HostLabels(host, &lowered, &labels)) return false;

  bool ok = false;
  ExtensionsPtr extensions = CertificateExtensions(der, length, &ok);
  if (!ok || !extensions) return false;
  // Node reads the first subjectAltName extension only; a second one is unusual.
  int index = X509v3_get_ext_by_NID(extensions.get(), NID_subject_alt_name, -1);
  if (index < 0 || X509v3_get_ext_by_NID(extensions.get(), NID_subject_alt_name, index) >= 0) return false;
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(X509v3_get_ext(extensions.get(), index))));
  if (!names) return false;

  bool any_dns = false;
  bool matched = false;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gen = sk_GENERAL_NAME_value(names.get(), i);
    if (gen->type == GEN_IPADD) continue;  // matters for IP hosts only
    if (gen->type != GEN_DNS || !IsPlainDnsName(gen->d.dNSName)) return false;
    any_dns = true;
    if (!matched) {
      const ASN1_IA5STRING* s = gen->d.dNSName;
      std::string name = LowerAscii(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                                     static_cast<size_t>(ASN1_STRING_length(s))));
      matched = NameMatches(labels, name);
    }
  }
  return any_dns && matched;
}

}  // namespace otls

// The client's host name check without a certificate object: answers "the
// certificate certainly names this host" by the rules of node's
// tls.checkServerIdentity, or "unsure" (then lib/connect.ts runs the JS check).
#pragma once

#include <cstddef>
#include <string_view>

namespace otls {

// True only when checkServerIdentity(host, <this certificate as an object>)
// would return undefined and the decision needs nothing but the certificate's
// DNS names: a plain LDH host name (no IP address, no trailing dots beyond one,
// no empty or non-ASCII labels) and a first subjectAltName extension that holds
// only DNS names of plain characters and IP addresses, at least one DNS name.
// False means "no match or unsure". `der` is one DER certificate (the peer's, as
// OpenSSL decoded it); only its extensions are decoded, not the whole
// certificate (d2i_X509 decodes the public key too, which costs more than the
// rest of the check).
bool CertificateSurelyNamesHost(const unsigned char* der, size_t length, std::string_view host);

}  // namespace otls

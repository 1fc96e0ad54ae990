// The system's trust store (OpenSSL's default verify paths): shared by every
// context that trusts the default roots, copied for one that adds its own CAs,
// and listed for tls.rootCertificates.
#pragma once

#include <string>
#include <vector>

#include "core/ossl.h"

namespace otls {

// The process-wide store of system roots (null when it cannot be made). Never
// freed: contexts may hold it until exit.
X509_STORE* SharedRootStore();

// A store of one context's own that starts with the system roots; null (and
// *failure set, OpenSSL's reasons queued) when it cannot be made.
X509StorePtr CopyOfRootStore(const char** failure);

// Every certificate of the default verify paths (the CA file, then the hashed
// directories; SSL_CERT_FILE / SSL_CERT_DIR override them) as PEM without a
// trailing newline, each once, in that order.
std::vector<std::string> RootCertificatesPem();

}  // namespace otls

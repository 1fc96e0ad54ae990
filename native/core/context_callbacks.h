// The OpenSSL callbacks that can only be set on an SSL_CTX. Every SecureContext
// installs them once; each one finds its TlsEngine through the SSL's app data
// and asks it what to do, so a context can be shared by connections with
// different needs (and switched to by SNI).
#pragma once

#include <openssl/ssl.h>

namespace otls {

void InstallConnectionCallbacks(SSL_CTX* ctx);

// Makes clients of this context offer NPN (only those that ask for it set it).
void InstallNpnClientCallback(SSL_CTX* ctx);

}  // namespace otls

// The OpenSSL callbacks that can only be set on an SSL_CTX. Every SecureContext
// installs them once; each one finds its TlsEngine through the SSL's app data
// and asks it what to do, so a context can be shared by connections with
// different needs (and switched to by SNI).
#pragma once

#include <openssl/ssl.h>

namespace otls {

void InstallConnectionCallbacks(SSL_CTX* ctx);

// Key logging for connections of this context. OpenSSL formats a connection's key
// log lines (hex of every secret, about 0.3M instructions a handshake) whenever
// its context has the callback, so it is installed only once a connection asks
// (the first keylog listener), never on every context. Installed from the main
// thread; a handshake step of another connection on the pool may read the
// pointer meanwhile and see it set or not, either of which is right for it (its
// own engine decides whether a line is reported).
void EnableKeylogCallback(SSL_CTX* ctx);

// Makes clients of this context offer NPN (only those that ask for it set it).
void InstallNpnClientCallback(SSL_CTX* ctx);

}  // namespace otls

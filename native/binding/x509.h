// X509 certificates as Node's certificate objects (tls getPeerCertificate shape).
#pragma once

#include <napi.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace otls {

// Node's object for one certificate, without issuerCertificate.
Napi::Object CertificateToObject(Napi::Env env, X509* cert);

// The peer's certificate; with detailed, its issuer chain linked through
// issuerCertificate as far as the peer's chain (and our trust store) reaches;
// a self-signed root's issuerCertificate is itself. Null when there is none.
Napi::Value PeerCertificateObject(Napi::Env env, SSL* ssl, bool detailed);

// DER bytes of a certificate as a Buffer.
Napi::Value CertificateDer(Napi::Env env, X509* cert);

}  // namespace otls

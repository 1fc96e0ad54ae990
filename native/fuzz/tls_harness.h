// What the two receive-path targets (fuzz_tls_server, fuzz_tls_client) share:
// contexts set up as SecureContext sets them up (our callbacks installed, a
// certificate made in memory), and a driver that feeds the input to a
// TlsEngine chunk by chunk, answering every pause the way TLSSocket would.
//
// Input layout: byte 0 selects the engine's options (bits, see EngineFlags);
// then chunks, each one length byte L (1..255; 0 = the rest of the input)
// followed by L bytes of encrypted input. The engine advances after every chunk.
#pragma once

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/context_callbacks.h"
#include "core/ossl.h"
#include "core/tls_engine.h"

namespace otls_fuzz {

using otls::Cycle;
using otls::EngineOptions;
using otls::TlsEngine;

enum EngineFlags : uint8_t {
  kPauseHello = 1 << 0,        // server: resumeSession/SNICallback/ALPNCallback pause
  kPauseCertificate = 1 << 1,  // server: OCSPRequest pause
  kRequestCert = 1 << 2,       // server: ask for a client certificate (client: offer NPN)
  kAlpn = 1 << 3,              // both: ALPN lists
  kReport = 1 << 4,            // both: report sessions and key log lines
  kTls12 = 1 << 5,             // use the TLS 1.2-only context
  kAnswerRefuse = 1 << 6,      // pauses answered with a refusal (ALPN) / a response (OCSP)
  kOcsp = 1 << 7,              // client: request OCSP
};

// A P-256 key and a self-signed certificate for it, made once.
inline bool MakeIdentity(otls::EvpPkeyPtr* key, otls::X509Ptr* cert) {
  key->reset(EVP_EC_gen("P-256"));
  cert->reset(X509_new());
  if (!*key || !*cert) return false;
  X509* x = cert->get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 365);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("fuzz.example"), -1, -1,
                             0);
  X509_set_issuer_name(x, name);
  X509_set_pubkey(x, key->get());
  return X509_sign(x, key->get(), EVP_sha256()) > 0;
}

// A context as SecureContext makes it; TLS 1.2 only when asked.
inline SSL_CTX* MakeContext(bool tls12_only) {
  static otls::EvpPkeyPtr key;
  static otls::X509Ptr cert;
  if (!key && !MakeIdentity(&key, &cert)) abort();
  SSL_CTX* ctx = SSL_CTX_new(TLS_method());
  if (ctx == nullptr) abort();
  SSL_CTX_set_options(ctx, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  otls::InstallConnectionCallbacks(ctx);
  if (SSL_CTX_use_certificate(ctx, cert.get()) != 1 || SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) abort();
  static const unsigned char kSid[] = "fuzz";
  SSL_CTX_set_session_id_context(ctx, kSid, sizeof(kSid) - 1);
  if (tls12_only) SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
  return ctx;
}

inline SSL_CTX* Context(bool tls12_only) {
  static SSL_CTX* modern = MakeContext(false);
  static SSL_CTX* legacy = MakeContext(true);
  return tls12_only ? legacy : modern;
}

inline EngineOptions OptionsFor(uint8_t flags, bool server) {
  EngineOptions o;
  o.is_server = server;
  o.report_sessions = o.report_keylog = (flags & kReport) != 0;
  if ((flags & kAlpn) != 0) o.alpn_protocols = std::string("\x02h2\x08http/1.1", 12);
  if (server) {
    o.pause_on_client_hello = (flags & kPauseHello) != 0;
    o.pause_on_certificate = (flags & kPauseCertificate) != 0;
    o.request_cert = (flags & kRequestCert) != 0;
    o.reject_unauthorized = o.request_cert;
  } else {
    o.servername = "fuzz.example";
    o.request_ocsp = (flags & kOcsp) != 0;
    if ((flags & kRequestCert) != 0) o.npn_protocols = std::string("\x08http/1.1", 9);
  }
  return o;
}

// Everything the driver takes out after a call, as Connection::Finish does.
inline void Drain(TlsEngine* e, Cycle* cycle) {
  e->Collect(cycle);
  std::vector<unsigned char> out(e->PendingOutput());
  if (!out.empty() && e->ReadOutput(out.data(), out.size()) != out.size()) abort();
  // What the driver reports: touch it (read from untrusted bytes).
  volatile size_t seen = cycle->outputs.sessions.size() + cycle->outputs.keylog.size();
  if (cycle->outputs.ocsp) seen = seen + cycle->outputs.ocsp->response.size();
  (void)seen;
  // A failed call always names its failure.
  if ((cycle->status & otls::kError) != 0 && cycle->error_fallback == nullptr) abort();
  *cycle = Cycle();
}

// A pause answered as TLSSocket would after its listeners ran.
inline void Answer(TlsEngine* e, uint8_t flags, Cycle* cycle) {
  if (e->paused() == otls::Pause::kClientHello) {
    // The session id and server name were read from untrusted bytes: touch them.
    const otls::ClientHello& hello = e->hello();
    volatile size_t seen = hello.session_id.size() + hello.servername.size() + hello.alpn.size();
    (void)seen;
    if ((flags & kAnswerRefuse) != 0) {
      e->RefuseAlpn();
    } else if (!hello.alpn.empty()) {
      // The client's first protocol, as an ALPNCallback might pick.
      const std::string& list = hello.alpn;
      size_t n = static_cast<unsigned char>(list[0]);
      e->ChooseAlpn(list.substr(1, n));
    }
    if (!e->SwitchContext(Context((flags & kTls12) != 0))) abort();
  } else if (e->paused() == otls::Pause::kCertificate && (flags & kAnswerRefuse) != 0) {
    e->SetOcspResponse(std::string("\x30\x03\x0a\x01\x01", 5));  // OCSPResponse, malformedRequest
  }
  e->MarkAnswered();
  e->Advance(cycle);
}

// Feeds the input's chunks to a fresh engine; starts it first (a client's hello).
inline void Run(const uint8_t* data, size_t size, bool server) {
  if (size < 1) return;
  const uint8_t flags = data[0];
  TlsEngine engine;
  if (engine.Init(Context((flags & kTls12) != 0), OptionsFor(flags, server)) != nullptr) abort();
  Cycle cycle;
  engine.Advance(&cycle);
  Drain(&engine, &cycle);
  size_t i = 1;
  int answers = 0;
  while (i < size && !engine.failed()) {
    size_t len = data[i++];
    if (len == 0 || len > size - i) len = size - i;
    engine.Feed(data + i, len, &cycle);
    i += len;
    engine.Advance(&cycle);
    // Each pause answered once per chunk at most (a hello pause comes back
    // once more on the retried ClientHello, which the engine lets through).
    while (engine.waiting() && answers < 8) {
      ++answers;
      Answer(&engine, flags, &cycle);
    }
    Drain(&engine, &cycle);
  }
  if (engine.handshake_done() && !engine.failed()) {
    static const unsigned char kHello[] = "hello from the fuzzer";
    otls::Chunk chunk{kHello, sizeof(kHello) - 1};
    engine.Write(&chunk, 1, &cycle);
    Drain(&engine, &cycle);
    engine.Shutdown(&cycle);
    Drain(&engine, &cycle);
  }
  ERR_clear_error();
}

}  // namespace otls_fuzz

// TlsEngine: what OpenSSL's callbacks do. Each one only reads what the driver
// decided earlier (lists, answers given with resume()) and records what
// happened for the next result; none throws. The one exception to "no driver
// code inside OpenSSL" is PSK, whose callbacks cannot pause (PskHandler).
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "core/narrow.h"
#include "core/tls_engine.h"

namespace otls {

namespace {

// A 16-bit big-endian length at p.
size_t Length16(const unsigned char* p) { return (static_cast<size_t>(p[0]) << 8) | p[1]; }

// The host_name entry of a ClientHello's server_name extension (RFC 6066 3).
std::string ServernameFromHello(SSL* ssl) {
  const unsigned char* p = nullptr;
  size_t len = 0;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p, &len) != 1 || len < 2) return "";
  if (Length16(p) + 2 != len) return "";
  p += 2;
  len -= 2;
  while (len >= 3) {
    unsigned type = p[0];
    size_t n = Length16(p + 1);
    if (n + 3 > len) return "";
    if (type == TLSEXT_NAMETYPE_host_name) return std::string(reinterpret_cast<const char*>(p + 3), n);
    p += 3 + n;
    len -= 3 + n;
  }
  return "";
}

// The protocol list of a ClientHello's ALPN extension, wire format.
std::string AlpnFromHello(SSL* ssl) {
  const unsigned char* p = nullptr;
  size_t len = 0;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_application_layer_protocol_negotiation, &p, &len) != 1 || len < 2) {
    return "";
  }
  size_t list = Length16(p);
  if (list + 2 != len) return "";
  return std::string(reinterpret_cast<const char*>(p + 2), list);
}

}  // namespace

int TlsEngine::OnClientHello(SSL* ssl, int* /*alert*/) noexcept {
  if (!switches_.pause_on_client_hello) return SSL_CLIENT_HELLO_SUCCESS;
  if (pause_.kind == Pause::kClientHello && pause_.answered) {
    pause_.kind = Pause::kNone;
    pause_.answered = false;
    return SSL_CLIENT_HELLO_SUCCESS;
  }
  try {
    ClientHello& hello = pause_.hello;
    hello.servername = ServernameFromHello(ssl);
    hello.alpn = AlpnFromHello(ssl);
    const unsigned char* id = nullptr;
    size_t id_len = SSL_client_hello_get0_session_id(ssl, &id);
    hello.session_id.assign(reinterpret_cast<const char*>(id), id_len);
    const unsigned char* ticket = nullptr;
    size_t ticket_len = 0;
    hello.ticket =
        SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_session_ticket, &ticket, &ticket_len) == 1 && ticket_len > 0;
  } catch (...) {
    return SSL_CLIENT_HELLO_ERROR;
  }
  pause_.kind = Pause::kClientHello;
  pause_.answered = false;
  return SSL_CLIENT_HELLO_RETRY;
}

SSL_SESSION* TlsEngine::OnGetSession(const unsigned char* id, int len, int* copy) noexcept {
  // OpenSSL takes over our reference (copy = 0).
  *copy = 0;
  if (!sessions_.found || len < 0) return nullptr;
  // Only the session asked for: another one would resume on the server while
  // the client, not seeing its id echoed, expects a full handshake.
  unsigned int found_len = 0;
  const unsigned char* found = SSL_SESSION_get_id(sessions_.found.get(), &found_len);
  if (found_len != static_cast<unsigned int>(len) || std::memcmp(found, id, found_len) != 0) return nullptr;
  return sessions_.found.release();
}

int TlsEngine::OnNewSession(SSL_SESSION* session) noexcept {
  CacheServerSession(session);
  if (!switches_.report_sessions) return 0;
  try {
    unsigned int id_len = 0;
    const unsigned char* id = SSL_SESSION_get_id(session, &id_len);
    int len = i2d_SSL_SESSION(session, nullptr);
    if (len <= 0) return 0;
    std::string der(static_cast<size_t>(len), '\0');
    unsigned char* p = reinterpret_cast<unsigned char*>(&der[0]);
    i2d_SSL_SESSION(session, &p);
    outputs_.sessions.push_back(NewSession{std::string(reinterpret_cast<const char*>(id), id_len), std::move(der)});
  } catch (...) {
    // Out of memory: the session is simply not reported.
  }
  return 0;  // we kept no reference
}

// The server's session cache: the SSL_CTX runs with SSL_SESS_CACHE_NO_INTERNAL_STORE
// (context_callbacks.cc), so OpenSSL never stores a session by itself; a client
// context would otherwise keep every session it was ever given. A server
// connection stores the sessions it makes here instead, in the context it was
// created with (where OpenSSL looks sessions up), unless the driver takes them
// (newSession), in which case the user's store is the only one (as in node:tls).
void TlsEngine::CacheServerSession(SSL_SESSION* session) noexcept {
  if (!switches_.is_server || sessions_.lookup_ctx == nullptr || !ssl_) return;
  SSL* ssl = ssl_.get();
  const uint64_t options = SSL_get_options(ssl);
  const bool tls13 = SSL_version(ssl) >= TLS1_3_VERSION;
  // TLS 1.3 tickets are stateless unless tickets are off (then a ticket is a
  // session id) or early data needs replay protection (a ticket works once, so
  // OpenSSL must find it, and then removes it, in the cache).
  const bool anti_replay = tls13 && SSL_get_max_early_data(ssl) > 0 && (options & SSL_OP_NO_ANTI_REPLAY) == 0;
  const bool stateful = !tls13 || (options & SSL_OP_NO_TICKET) != 0;
  if (anti_replay || (stateful && !switches_.report_sessions)) {
    // Takes its own reference; a full cache drops its oldest entry.
    (void)SSL_CTX_add_session(sessions_.lookup_ctx, session);
  }
}

void TlsEngine::OnKeylog(const char* line) noexcept {
  if (!switches_.report_keylog) return;
  try {
    outputs_.keylog.emplace_back(line);
  } catch (...) {
  }
}

int TlsEngine::CertificateCallback(SSL* ssl, void* /*arg*/) {
  TlsEngine* e = From(ssl);
  return e == nullptr ? 1 : e->OnCertificate(ssl);
}

int TlsEngine::OnCertificate(SSL* ssl) noexcept {
  if (pause_.kind == Pause::kCertificate && pause_.answered) {
    pause_.kind = Pause::kNone;
    pause_.answered = false;
    return 1;
  }
  if (!WantsCertificatePause(ssl)) return 1;
  pause_.kind = Pause::kCertificate;
  pause_.answered = false;
  return -1;
}

bool TlsEngine::WantsCertificatePause(SSL* ssl) const noexcept {
  // The certificate pause exists for OCSPRequest: without a status request
  // from the client there is nothing to ask.
  return SSL_get_tlsext_status_type(ssl) == TLSEXT_STATUSTYPE_ocsp;
}

// --- ALPN and NPN ------------------------------------------------------------

void TlsEngine::ChooseAlpn(std::string protocol) {
  protocols_.alpn_answer = AlpnAnswer::kChosen;
  protocols_.alpn_chosen = std::move(protocol);
}

void TlsEngine::RefuseAlpn() { protocols_.alpn_answer = AlpnAnswer::kRefused; }

int TlsEngine::OnAlpnSelect(const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                            unsigned int inlen) noexcept {
  if (protocols_.alpn_answer == AlpnAnswer::kRefused) return SSL_TLSEXT_ERR_ALERT_FATAL;
  if (protocols_.alpn_answer == AlpnAnswer::kChosen) {
    const std::string& chosen = protocols_.alpn_chosen;
    // The ALPNCallback's choice, found in the client's list (OpenSSL copies it).
    unsigned int i = 0;
    while (i < inlen) {
      unsigned int n = in[i];
      if (i + 1 + n > inlen) break;
      if (n == chosen.size() && std::memcmp(in + i + 1, chosen.data(), n) == 0) {
        *out = in + i + 1;
        *outlen = static_cast<unsigned char>(n);
        return SSL_TLSEXT_ERR_OK;
      }
      i += 1 + n;
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  const std::string& ours = protocols_.alpn;
  if (ours.empty()) return SSL_TLSEXT_ERR_NOACK;
  // Our preference first, as node:tls; no common protocol is a fatal
  // no_application_protocol alert (RFC 7301 3.2).
  unsigned char* selected = nullptr;
  int r = SSL_select_next_proto(&selected, outlen, reinterpret_cast<const unsigned char*>(ours.data()),
                                static_cast<unsigned int>(ours.size()), in, inlen);
  if (r != OPENSSL_NPN_NEGOTIATED || selected == nullptr) return SSL_TLSEXT_ERR_ALERT_FATAL;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

int TlsEngine::OnNpnAdvertise(const unsigned char** out, unsigned int* outlen) noexcept {
  const std::string& ours = protocols_.npn;
  if (ours.empty()) return SSL_TLSEXT_ERR_NOACK;
  *out = reinterpret_cast<const unsigned char*>(ours.data());
  *outlen = static_cast<unsigned int>(ours.size());
  return SSL_TLSEXT_ERR_OK;
}

int TlsEngine::OnNpnSelect(unsigned char** out, unsigned char* outlen, const unsigned char* in,
                           unsigned int inlen) noexcept {
#ifdef OPENSSL_NO_NEXTPROTONEG
  (void)out;
  (void)outlen;
  (void)in;
  (void)inlen;
  return SSL_TLSEXT_ERR_ALERT_FATAL;
#else
  const std::string& ours = protocols_.npn;
  if (ours.empty()) {
    // A client of a shared context that did not ask for NPN must still pick
    // one (RFC draft: any of the server's): the server's first.
    if (inlen < 2 || in[0] == 0 || 1u + in[0] > inlen) return SSL_TLSEXT_ERR_ALERT_FATAL;
    *out = const_cast<unsigned char*>(in + 1);
    *outlen = in[0];
    return SSL_TLSEXT_ERR_OK;
  }
  // Our preference among the server's; without overlap NPN picks our first
  // (the server learns it; npnProtocol says false, as node:tls did).
  int r = SSL_select_next_proto(out, outlen, in, inlen, reinterpret_cast<const unsigned char*>(ours.data()),
                                static_cast<unsigned int>(ours.size()));
  protocols_.npn_no_overlap = r != OPENSSL_NPN_NEGOTIATED;
  if (*out == nullptr || *outlen == 0) return SSL_TLSEXT_ERR_ALERT_FATAL;
  return SSL_TLSEXT_ERR_OK;
#endif
}

// --- OCSP stapling -------------------------------------------------------------
// Client (requestOCSP): OpenSSL's status callback records what the server
// stapled (or that it stapled nothing), reported once with the next result.
// Server: the driver answers the certificate pause with the response, and the
// status callback, which runs right after, staples it.

void TlsEngine::SetOcspResponse(std::string response) {
  ocsp_.response = std::move(response);
  ocsp_.set = true;
}

int TlsEngine::OnStatus(SSL* ssl) noexcept {
  if (!switches_.is_server) {
    // Called whenever we asked, stapled or not; the verdict is the driver's
    // (node:tls accepts every response and leaves checking it to the listener).
    const unsigned char* data = nullptr;
    long len = SSL_get_tlsext_status_ocsp_resp(ssl, &data);
    try {
      OcspReport report;
      if (data != nullptr && len > 0) {
        report.response.assign(reinterpret_cast<const char*>(data), static_cast<size_t>(len));
        report.stapled = true;
      }
      outputs_.ocsp = std::move(report);
    } catch (...) {
      return 0;  // out of memory: fail the handshake rather than lose the response
    }
    return 1;
  }
  const std::string& staple = ocsp_.response;
  if (!ocsp_.set || staple.empty()) return SSL_TLSEXT_ERR_NOACK;
  if (!FitsIn<long>(staple.size())) return SSL_TLSEXT_ERR_ALERT_FATAL;
  // OpenSSL takes ownership of a copy made with its own allocator.
  OpenSSLBytes copy(static_cast<unsigned char*>(OPENSSL_memdup(staple.data(), staple.size())));
  if (!copy) return SSL_TLSEXT_ERR_ALERT_FATAL;
  if (SSL_set_tlsext_status_ocsp_resp(ssl, copy.get(), static_cast<long>(staple.size())) != 1) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  (void)copy.release();  // OpenSSL's now
  return SSL_TLSEXT_ERR_OK;
}

// --- PSK -----------------------------------------------------------------------

void TlsEngine::EnablePsk(PskHandler* handler) {
  psk_.handler = handler;
  if (switches_.is_server) {
    SSL_set_psk_server_callback(ssl_.get(), PskServerCallback);
  } else {
    SSL_set_psk_client_callback(ssl_.get(), PskClientCallback);
  }
}

bool TlsEngine::SetPskIdentityHint(const std::string& hint) {
  if (SSL_use_psk_identity_hint(ssl_.get(), hint.c_str()) != 1) return false;
  psk_.hint = hint;
  return true;
}

unsigned int TlsEngine::PskServerCallback(SSL* ssl, const char* identity, unsigned char* psk,
                                          unsigned int max_psk_len) noexcept {
  TlsEngine* e = From(ssl);
  return e == nullptr || e->psk_.handler == nullptr ? 0 : e->psk_.handler->OnPskServer(identity, psk, max_psk_len);
}

unsigned int TlsEngine::PskClientCallback(SSL* ssl, const char* hint, char* identity, unsigned int max_identity_len,
                                          unsigned char* psk, unsigned int max_psk_len) noexcept {
  TlsEngine* e = From(ssl);
  if (e == nullptr || e->psk_.handler == nullptr) return 0;
  return e->psk_.handler->OnPskClient(hint, identity, max_identity_len, psk, max_psk_len);
}

// --- Trace (enableTrace) -------------------------------------------------------

#ifndef OPENSSL_NO_SSL_TRACE

namespace {

// All of `data` to stderr. Node makes a piped stderr non-blocking, so a plain
// FILE* write can fail with EAGAIN and lose part of the trace: wait and retry.
void WriteToStderr(const char* data, size_t len) noexcept {
  while (len > 0) {
    ssize_t n = write(STDERR_FILENO, data, len);
    if (n > 0) {
      data += n;
      len -= static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd pfd{STDERR_FILENO, POLLOUT, 0};
      if (poll(&pfd, 1, 1000) <= 0) return;  // a reader that is gone or stuck: give up
    } else {
      return;
    }
  }
}

// SSL_trace into the engine's memory BIO, then out to stderr at once.
void TraceMessage(int write_p, int version, int content_type, const void* buf, size_t len, SSL* ssl,
                  void* arg) noexcept {
  BIO* bio = static_cast<BIO*>(arg);
  if (bio == nullptr) return;
  SSL_trace(write_p, version, content_type, buf, len, ssl, bio);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  if (n > 0 && data != nullptr) WriteToStderr(data, static_cast<size_t>(n));
  (void)BIO_reset(bio);
}

}  // namespace
#endif

bool TlsEngine::EnableTrace() {
#ifdef OPENSSL_NO_SSL_TRACE
  return true;
#else
  if (trace_) return true;
  trace_.reset(BIO_new(BIO_s_mem()));
  if (!trace_) return false;
  SSL_set_msg_callback(ssl_.get(), TraceMessage);
  SSL_set_msg_callback_arg(ssl_.get(), trace_.get());
  return true;
#endif
}

}  // namespace otls

#include "connection.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstring>
#include <deque>

#include "addon_data.h"
#include "errors.h"
#include "secure_context.h"
#include "x509.h"

namespace otls {

namespace {

constexpr size_t kRecordSize = 16384;

// SSL_get_error's answers when one of our callbacks stopped the handshake for JS.
bool IsPause(int err) { return err == SSL_ERROR_WANT_CLIENT_HELLO_CB || err == SSL_ERROR_WANT_X509_LOOKUP; }

// One decrypt buffer shared by every connection on this thread (uSockets' habit):
// cleartext is read here and copied once into the Buffer handed to JS.
// A call made while a JS callback runs inside OpenSSL (PSK) gets a buffer of its
// own: the interrupted call may still be reading into the outer one.
std::vector<unsigned char>& ReadBuffer() {
  thread_local std::deque<std::vector<unsigned char>> buffers;
  const size_t depth = JsCallbackDepth();
  while (buffers.size() <= depth) buffers.emplace_back(64 * 1024);
  return buffers[depth];
}

// Verification is policy, and policy lives in JS: OpenSSL records the result and
// the handshake goes on; TLSSocket decides after the handshake (as node:tls does).
int AcceptAnyCertificate(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) { return 1; }

}  // namespace

Napi::Function Connection::Init(Napi::Env env) {
  Napi::Function ctor = DefineClass(
      env, "Connection",
      {
          InstanceMethod<&Connection::Start>("start"),
          InstanceMethod<&Connection::Receive>("receive"),
          InstanceMethod<&Connection::Write>("write"),
          InstanceMethod<&Connection::Shutdown>("shutdown"),
          InstanceMethod<&Connection::Resume>("resume"),
          InstanceMethod<&Connection::ReceiveAsync>("receiveAsync"),
          InstanceMethod<&Connection::ResumeAsync>("resumeAsync"),
          InstanceMethod<&Connection::Destroy>("destroy"),
          InstanceMethod<&Connection::IsHandshakeDone>("isHandshakeDone"),
          InstanceMethod<&Connection::VerifyError>("verifyError"),
          InstanceMethod<&Connection::GetPeerCertificate>("getPeerCertificate"),
          InstanceMethod<&Connection::GetCertificate>("getCertificate"),
          InstanceMethod<&Connection::GetPeerCertificateDer>("getPeerCertificateDer"),
          InstanceMethod<&Connection::GetCertificateDer>("getCertificateDer"),
          InstanceMethod<&Connection::GetCipher>("getCipher"),
          InstanceMethod<&Connection::GetProtocol>("getProtocol"),
          InstanceMethod<&Connection::GetEphemeralKeyInfo>("getEphemeralKeyInfo"),
          InstanceMethod<&Connection::GetFinished>("getFinished"),
          InstanceMethod<&Connection::GetPeerFinished>("getPeerFinished"),
          InstanceMethod<&Connection::ExportKeyingMaterial>("exportKeyingMaterial"),
          InstanceMethod<&Connection::SetMaxSendFragment>("setMaxSendFragment"),
          InstanceMethod<&Connection::GetServername>("getServername"),
          InstanceMethod<&Connection::GetSession>("getSession"),
          InstanceMethod<&Connection::IsSessionReused>("isSessionReused"),
          InstanceMethod<&Connection::Renegotiate>("renegotiate"),
          InstanceMethod<&Connection::GetTLSTicket>("getTLSTicket"),
          InstanceMethod<&Connection::SetReportSessions>("setReportSessions"),
          InstanceMethod<&Connection::GetALPNProtocol>("getALPNProtocol"),
          InstanceMethod<&Connection::GetNPNProtocol>("getNPNProtocol"),
          InstanceMethod<&Connection::SetReportKeylog>("setReportKeylog"),
          InstanceMethod<&Connection::EnableTrace>("enableTrace"),
          InstanceMethod<&Connection::GetSharedSigalgs>("getSharedSigalgs"),
      });
  GetAddonData(env).connection = Napi::Persistent(ctor);
  return ctor;
}

Connection::Connection(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Connection>(info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SecureContext* sc = SecureContext::FromValue(env, info[0]);
  if (sc->ctx() == nullptr) throw CodedError(env, "ERR_INVALID_STATE", "The SecureContext has been closed");
  if (!info[1].IsObject()) throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "options must be an object");
  Napi::Object options = info[1].As<Napi::Object>();
  is_server_ = options.Get("isServer").ToBoolean();

  ssl_.reset(SSL_new(sc->ctx()));
  if (!ssl_) ThrowFromQueue(env, "SSL_new failed");
  session_ctx_ = sc->ctx();
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  if (in_ == nullptr || out_ == nullptr) {
    BIO_free(in_);
    BIO_free(out_);
    in_ = out_ = nullptr;
    ThrowFromQueue(env, "BIO_new failed");
  }
  // An empty input BIO means "wait for more", never end of file.
  BIO_set_mem_eof_return(in_, -1);
  BIO_set_mem_eof_return(out_, -1);
  SSL_set_bio(ssl_.get(), in_, out_);
  SSL_set_app_data(ssl_.get(), this);
  SSL_set_info_callback(ssl_.get(), InfoCallback);

  pause_on_client_hello_ = options.Get("pauseOnClientHello").ToBoolean();
  pause_on_certificate_ = options.Get("pauseOnCertificate").ToBoolean();
  report_sessions_ = options.Get("reportSessions").ToBoolean();
  report_keylog_ = options.Get("reportKeylog").ToBoolean();
  SetupPsk(env, options);
  SetupProtocolNegotiation(env, options);
  SetupOcsp(env, options);

  if (is_server_) {
    SSL_set_accept_state(ssl_.get());
    if (pause_on_certificate_) SSL_set_cert_cb(ssl_.get(), CertificateCallback, nullptr);
    int mode = SSL_VERIFY_NONE;
    if (options.Get("requestCert").ToBoolean()) {
      mode = SSL_VERIFY_PEER;
      if (options.Get("rejectUnauthorized").ToBoolean()) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    }
    SSL_set_verify(ssl_.get(), mode, AcceptAnyCertificate);
  } else {
    SSL_set_connect_state(ssl_.get());
    SSL_set_verify(ssl_.get(), SSL_VERIFY_PEER, AcceptAnyCertificate);
    Napi::Value servername = options.Get("servername");
    if (servername.IsString()) {
      std::string name = servername.As<Napi::String>();
      if (!name.empty() && SSL_set_tlsext_host_name(ssl_.get(), name.c_str()) != 1) {
        ThrowFromQueue(env, "Invalid servername");
      }
    }
    Napi::Value session = options.Get("session");
    if (session.IsBuffer()) {
      auto buf = session.As<Napi::Buffer<unsigned char>>();
      const unsigned char* p = buf.Data();
      SslSessionPtr sess(d2i_SSL_SESSION(nullptr, &p, static_cast<long>(buf.Length())));
      // Unparsable data is ignored (a full handshake follows), as in node:tls.
      if (sess && SSL_set_session(ssl_.get(), sess.get()) != 1) ThrowFromQueue(env, "SSL_set_session failed");
    }
  }
}

SSL* Connection::Require(Napi::Env env) const {
  if (!ssl_) throw CodedError(env, "ERR_SOCKET_CLOSED", "Socket is closed");
  if (in_flight_) throw CodedError(env, "ERR_INVALID_STATE", "A handshake step of this connection is running");
  return ssl_.get();
}

void Connection::InfoCallback(const SSL* ssl, int where, int /*ret*/) {
  auto* self = static_cast<Connection*>(SSL_get_app_data(ssl));
  if (self == nullptr) return;
  // TLS 1.3 post-handshake messages (tickets, key updates) also report a
  // handshake start; only a TLS 1.2 handshake after the first is a renegotiation.
  if ((where & SSL_CB_HANDSHAKE_START) && self->handshake_done_ && SSL_version(ssl) < TLS1_3_VERSION) {
    self->callback_status_ |= kRenegotiationStarted;
    self->renegotiating_ = true;
    // Nothing of ours pending: the peer started it (what the limiter counts).
    if (SSL_renegotiate_pending(ssl) == 0) ++self->peer_renegotiations_;
  }
  // A server's own HelloRequest also ends in "done", with the renegotiation
  // still pending until the client's handshake completes.
  if ((where & SSL_CB_HANDSHAKE_DONE) && self->renegotiating_ && SSL_renegotiate_pending(ssl) == 0) {
    self->renegotiating_ = false;
    self->callback_status_ |= kHandshakeDone;
  }
}

Connection* Connection::From(const SSL* ssl) { return static_cast<Connection*>(SSL_get_app_data(ssl)); }

namespace {

// The host_name entry of a ClientHello's server_name extension (RFC 6066 3).
std::string ServernameFromHello(SSL* ssl) {
  const unsigned char* p = nullptr;
  size_t len = 0;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p, &len) != 1 || len < 2) return "";
  size_t list = (static_cast<size_t>(p[0]) << 8) | p[1];
  if (list + 2 != len) return "";
  p += 2;
  len -= 2;
  while (len >= 3) {
    unsigned type = p[0];
    size_t n = (static_cast<size_t>(p[1]) << 8) | p[2];
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
  size_t list = (static_cast<size_t>(p[0]) << 8) | p[1];
  if (list + 2 != len) return "";
  return std::string(reinterpret_cast<const char*>(p + 2), list);
}

}  // namespace

int Connection::OnClientHello(SSL* ssl, int* /*alert*/) noexcept {
  if (!pause_on_client_hello_) return SSL_CLIENT_HELLO_SUCCESS;
  if (paused_ == Pause::kClientHello && answered_) {
    paused_ = Pause::kNone;
    answered_ = false;
    return SSL_CLIENT_HELLO_SUCCESS;
  }
  try {
    hello_servername_ = ServernameFromHello(ssl);
    hello_alpn_ = AlpnFromHello(ssl);
    const unsigned char* id = nullptr;
    size_t id_len = SSL_client_hello_get0_session_id(ssl, &id);
    hello_session_id_.assign(reinterpret_cast<const char*>(id), id_len);
    const unsigned char* ticket = nullptr;
    size_t ticket_len = 0;
    hello_ticket_ = SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_session_ticket, &ticket, &ticket_len) == 1 &&
                    ticket_len > 0;
  } catch (...) {
    return SSL_CLIENT_HELLO_ERROR;
  }
  paused_ = Pause::kClientHello;
  answered_ = false;
  return SSL_CLIENT_HELLO_RETRY;
}

SSL_SESSION* Connection::OnGetSession(const unsigned char* id, int len, int* copy) noexcept {
  // OpenSSL takes over our reference (copy = 0).
  *copy = 0;
  if (!found_session_ || len < 0) return nullptr;
  // Only the session asked for: another one would resume on the server while
  // the client, not seeing its id echoed, expects a full handshake.
  unsigned int found_len = 0;
  const unsigned char* found = SSL_SESSION_get_id(found_session_.get(), &found_len);
  if (found_len != static_cast<unsigned int>(len) || std::memcmp(found, id, found_len) != 0) return nullptr;
  return found_session_.release();
}

int Connection::OnNewSession(SSL_SESSION* session) noexcept {
  CacheServerSession(session);
  if (!report_sessions_) return 0;
  try {
    unsigned int id_len = 0;
    const unsigned char* id = SSL_SESSION_get_id(session, &id_len);
    int len = i2d_SSL_SESSION(session, nullptr);
    if (len <= 0) return 0;
    std::string der(static_cast<size_t>(len), '\0');
    unsigned char* p = reinterpret_cast<unsigned char*>(&der[0]);
    i2d_SSL_SESSION(session, &p);
    new_sessions_.emplace_back(std::string(reinterpret_cast<const char*>(id), id_len), std::move(der));
  } catch (...) {
    // Out of memory: the session is simply not reported.
  }
  return 0;  // we kept no reference
}

void Connection::OnKeylog(const char* line) noexcept {
  if (!report_keylog_) return;
  try {
    keylog_.emplace_back(line);
  } catch (...) {
  }
}

int Connection::CertificateCallback(SSL* ssl, void* /*arg*/) {
  Connection* c = From(ssl);
  return c == nullptr ? 1 : c->OnCertificate(ssl);
}

int Connection::OnCertificate(SSL* ssl) noexcept {
  if (paused_ == Pause::kCertificate && answered_) {
    paused_ = Pause::kNone;
    answered_ = false;
    return 1;
  }
  if (!WantsCertificatePause(ssl)) return 1;
  paused_ = Pause::kCertificate;
  answered_ = false;
  return -1;
}

void Connection::Fail(Napi::Env env, Cycle* cycle, int ssl_error) {
  failed_ = true;
  cycle->status |= kError;
  const char* fallback = ssl_error == SSL_ERROR_SYSCALL ? "Unexpected end of TLS stream" : "TLS failure";
  if (cycle->error.IsEmpty()) cycle->error = SocketErrorFromQueue(env, fallback).Value();
}

bool Connection::FlushPendingWrites(Napi::Env env, Cycle* cycle) {
  SSL* ssl = ssl_.get();
  // A renegotiation under way is driven by SSL_read only: a write would drive
  // it too, and there OpenSSL takes the peer's interleaved application data
  // for an unexpected record.
  if (SSL_in_init(ssl)) return true;
  size_t offset = 0;
  while (offset < pending_write_.size()) {
    size_t len = std::min(kRecordSize, pending_write_.size() - offset);
    size_t written = 0;
    if (SSL_write_ex(ssl, pending_write_.data() + offset, len, &written) != 1) {
      int err = SSL_get_error(ssl, 0);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) break;
      Fail(env, cycle, err);
      return false;
    }
    offset += written;
  }
  pending_write_.erase(0, offset);
  return true;
}

void Connection::Advance(Napi::Env env, Cycle* cycle) {
  if (failed_) return;
  // Waiting for JS: input piles up in the BIO until resume().
  if (paused_ != Pause::kNone && !answered_) return;
  SSL* ssl = ssl_.get();

  if (!handshake_done_) {
    int r = SSL_do_handshake(ssl);
    if (r == 1) {
      handshake_done_ = true;
      cycle->status |= kHandshakeDone;
    } else {
      int err = SSL_get_error(ssl, r);
      if (IsPause(err)) {
        cycle->status |= kPaused;
        return;
      }
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
        Fail(env, cycle, err);
        return;
      }
      return;  // needs more input
    }
  }

  if (!pending_write_.empty() && !FlushPendingWrites(env, cycle)) return;

  std::vector<unsigned char>& buf = ReadBuffer();
  for (;;) {
    // Cleartext is never more than the encrypted bytes still to read.
    size_t want = BIO_ctrl_pending(in_) + static_cast<size_t>(SSL_pending(ssl)) + kRecordSize;
    if (buf.size() < cycle->cleartext + want) buf.resize(cycle->cleartext + want);
    size_t n = 0;
    int r = SSL_read_ex(ssl, buf.data() + cycle->cleartext, buf.size() - cycle->cleartext, &n);
    if (r == 1) {
      cycle->cleartext += n;
      continue;
    }
    int err = SSL_get_error(ssl, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) break;
    if (IsPause(err)) {  // a renegotiation stopped for JS
      cycle->status |= kPaused;
      return;
    }
    if (err == SSL_ERROR_ZERO_RETURN) {
      cycle->status |= kPeerClosed;
      break;
    }
    Fail(env, cycle, err);
    return;
  }
  // A renegotiation may have finished while reading: what waited can go now.
  if (!pending_write_.empty()) FlushPendingWrites(env, cycle);
}

Napi::Value Connection::Finish(Napi::Env env, Cycle* cycle) {
  ApplyCallbackError(cycle);
  cycle->status |= callback_status_;
  callback_status_ = 0;
  if (!pending_write_.empty()) cycle->status |= kWritePending;

  Napi::Object result = Napi::Object::New(env);
  result.Set("status", Napi::Number::New(env, cycle->status));
  if (cycle->cleartext > 0) {
    result.Set("cleartext", Napi::Buffer<unsigned char>::Copy(env, ReadBuffer().data(), cycle->cleartext));
  }
  const size_t encrypted = ssl_ != nullptr ? BIO_ctrl_pending(out_) : 0;
  if (encrypted > 0) {
    // Read out (one copy): BIO_reset would also wipe the whole buffer every call.
    auto buf = Napi::Buffer<unsigned char>::New(env, encrypted);
    int n = BIO_read(out_, buf.Data(), static_cast<int>(encrypted));
    if (n > 0 && static_cast<size_t>(n) == encrypted) {
      result.Set("encrypted", buf);
    } else if (n > 0) {
      result.Set("encrypted", Napi::Buffer<unsigned char>::Copy(env, buf.Data(), static_cast<size_t>(n)));
    }
  }
  if (!cycle->error.IsEmpty()) result.Set("error", cycle->error);
  if ((cycle->status & kPaused) != 0) result.Set("pause", PauseObject(env));
  if (!new_sessions_.empty()) {
    Napi::Array list = Napi::Array::New(env, new_sessions_.size());
    for (size_t i = 0; i < new_sessions_.size(); ++i) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("id", Napi::Buffer<char>::Copy(env, new_sessions_[i].first.data(), new_sessions_[i].first.size()));
      o.Set("data", Napi::Buffer<char>::Copy(env, new_sessions_[i].second.data(), new_sessions_[i].second.size()));
      list.Set(static_cast<uint32_t>(i), o);
    }
    result.Set("sessions", list);
    new_sessions_.clear();
  }
  ReportOcsp(env, result);
  if (!keylog_.empty()) {
    Napi::Array lines = Napi::Array::New(env, keylog_.size());
    for (size_t i = 0; i < keylog_.size(); ++i) {
      std::string line = keylog_[i] + "\n";
      lines.Set(static_cast<uint32_t>(i), Napi::Buffer<char>::Copy(env, line.data(), line.size()));
    }
    result.Set("keylog", lines);
    keylog_.clear();
  }
  if (peer_renegotiations_ > 0) {
    result.Set("peerRenegotiations", Napi::Number::New(env, peer_renegotiations_));
    peer_renegotiations_ = 0;
  }
  // destroy() was called from a JS callback inside OpenSSL: OpenSSL is done now.
  if (destroy_deferred_ && !in_js_callback_) ReleaseSsl();
  return result;
}

Napi::Value Connection::PauseObject(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  if (paused_ == Pause::kClientHello) {
    o.Set("kind", "clientHello");
    o.Set("servername", hello_servername_);
    o.Set("sessionId", Napi::Buffer<char>::Copy(env, hello_session_id_.data(), hello_session_id_.size()));
    o.Set("tlsTicket", hello_ticket_);
    o.Set("alpn", Napi::Buffer<char>::Copy(env, hello_alpn_.data(), hello_alpn_.size()));
  } else if (paused_ == Pause::kCertificate) {
    o.Set("kind", "certificate");
    SSL* ssl = ssl_.get();
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    o.Set("servername", name == nullptr ? "" : name);
    o.Set("certificate", CertificateDer(env, SSL_get_certificate(ssl)));
    // The issuer, when our chain or trust store has it (OCSP needs it).
    X509* cert = SSL_get_certificate(ssl);
    Napi::Value issuer = env.Null();
    STACK_OF(X509)* chain = nullptr;
    if (cert != nullptr && SSL_get0_chain_certs(ssl, &chain) == 1 && chain != nullptr) {
      for (int i = 0; i < sk_X509_num(chain); ++i) {
        X509* candidate = sk_X509_value(chain, i);
        if (X509_check_issued(candidate, cert) == X509_V_OK) {
          issuer = CertificateDer(env, candidate);
          break;
        }
      }
    }
    if (issuer.IsNull() && cert != nullptr) {
      X509_STORE* store = SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl));
      X509_STORE_CTX* sctx = X509_STORE_CTX_new();
      if (sctx != nullptr && X509_STORE_CTX_init(sctx, store, cert, nullptr) == 1) {
        X509* found = nullptr;
        if (X509_STORE_CTX_get1_issuer(&found, sctx, cert) == 1 && found != nullptr) {
          X509Ptr owned(found);
          issuer = CertificateDer(env, owned.get());
        }
      }
      X509_STORE_CTX_free(sctx);
    }
    o.Set("issuer", issuer);
  }
  return o;
}

Napi::Value Connection::Resume(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  Require(env);
  RejectReentry(env);
  ApplyResumeAnswer(env, info[0]);
  Cycle cycle;
  Advance(env, &cycle);
  return Finish(env, &cycle);
}

void Connection::ApplyResumeAnswer(Napi::Env env, Napi::Value answer_value) {
  SSL* ssl = ssl_.get();
  if (paused_ == Pause::kNone || answered_) {
    throw CodedError(env, "ERR_INVALID_STATE", "The handshake is not waiting for an answer");
  }
  Napi::Object answer = answer_value.IsObject() ? answer_value.As<Napi::Object>() : Napi::Object::New(env);
  if (paused_ == Pause::kClientHello) {
    Napi::Value context = answer.Get("context");
    if (!context.IsUndefined() && !context.IsNull()) {
      SSL_CTX* ctx = SecureContext::FromValue(env, context)->ctx();
      if (ctx == nullptr) throw CodedError(env, "ERR_INVALID_STATE", "The SecureContext has been closed");
      if (ctx != SSL_get_SSL_CTX(ssl)) {
        if (SSL_set_SSL_CTX(ssl, ctx) == nullptr) ThrowFromQueue(env, "SSL_set_SSL_CTX failed");
        // Client certificates are verified against the chosen context's trust.
        SSL_set1_verify_cert_store(ssl, SSL_CTX_get_cert_store(ctx));
        STACK_OF(X509_NAME)* cas = SSL_CTX_get_client_CA_list(ctx);
        if (cas != nullptr) SSL_set_client_CA_list(ssl, SSL_dup_CA_list(cas));
        // The PSK identity hint lived in the certificate data just replaced.
        if (!psk_hint_.empty()) (void)SSL_use_psk_identity_hint(ssl, psk_hint_.c_str());
      }
    }
    Napi::Value session = answer.Get("session");
    if (session.IsBuffer()) {
      auto buf = session.As<Napi::Buffer<unsigned char>>();
      const unsigned char* p = buf.Data();
      // Unparsable data means a full handshake, as a missing session does.
      found_session_.reset(d2i_SSL_SESSION(nullptr, &p, static_cast<long>(buf.Length())));
    }
    ApplyAlpnAnswer(answer);
  } else if (paused_ == Pause::kCertificate) {
    ApplyOcspAnswer(answer);
  }
  answered_ = true;
}

Napi::Value Connection::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  Require(env);
  RejectReentry(env);
  Cycle cycle;
  Advance(env, &cycle);
  return Finish(env, &cycle);
}

bool Connection::FeedInput(Napi::Env env, Napi::Value value, Cycle* cycle) {
  if (!value.IsBuffer()) throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "data must be a Buffer");
  auto data = value.As<Napi::Buffer<unsigned char>>();
  if (!failed_ && data.Length() > 0 &&
      BIO_write(in_, data.Data(), static_cast<int>(data.Length())) != static_cast<int>(data.Length())) {
    Fail(env, cycle, SSL_ERROR_SSL);
  }
  return !failed_;
}

Napi::Value Connection::Receive(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  Require(env);
  RejectReentry(env);
  Cycle cycle;
  if (FeedInput(env, info[0], &cycle)) Advance(env, &cycle);
  return Finish(env, &cycle);
}

Napi::Value Connection::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL* ssl = Require(env);
  RejectReentry(env);
  if (!info[0].IsArray()) throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "chunks must be an Array of Buffers");
  Napi::Array chunks = info[0].As<Napi::Array>();
  Cycle cycle;
  if (failed_) return Finish(env, &cycle);

  // Small chunks are gathered into full records; large ones go straight from
  // the caller's memory into SSL_write. What OpenSSL cannot take yet is queued.
  std::string staged;
  bool blocked = !handshake_done_ || !pending_write_.empty() || SSL_in_init(ssl);
  auto flush_staged = [&]() -> bool {
    size_t offset = 0;
    while (!blocked && offset < staged.size()) {
      size_t written = 0;
      size_t len = std::min(kRecordSize, staged.size() - offset);
      if (SSL_write_ex(ssl, staged.data() + offset, len, &written) != 1) {
        int err = SSL_get_error(ssl, 0);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
          Fail(env, &cycle, err);
          return false;
        }
        blocked = true;
        break;
      }
      offset += written;
    }
    pending_write_.append(staged, offset, std::string::npos);
    staged.clear();
    return true;
  };

  uint32_t n = chunks.Length();
  for (uint32_t i = 0; i < n; ++i) {
    Napi::Value v = chunks.Get(i);
    if (!v.IsBuffer()) throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "chunks must be an Array of Buffers");
    auto chunk = v.As<Napi::Buffer<unsigned char>>();
    const unsigned char* p = chunk.Data();
    size_t len = chunk.Length();
    if (blocked) {
      pending_write_.append(reinterpret_cast<const char*>(p), len);
      continue;
    }
    if (staged.size() + len < kRecordSize) {
      if (staged.empty()) staged.reserve(kRecordSize);
      staged.append(reinterpret_cast<const char*>(p), len);
      continue;
    }
    // Top the staged bytes up to one full record, then write the rest directly.
    if (!staged.empty()) {
      size_t take = kRecordSize - staged.size();
      staged.append(reinterpret_cast<const char*>(p), take);
      p += take;
      len -= take;
      if (!flush_staged()) return Finish(env, &cycle);
    }
    while (!blocked && len >= kRecordSize) {
      size_t written = 0;
      if (SSL_write_ex(ssl, p, kRecordSize, &written) != 1) {
        int err = SSL_get_error(ssl, 0);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
          Fail(env, &cycle, err);
          return Finish(env, &cycle);
        }
        blocked = true;
        break;
      }
      p += written;
      len -= written;
    }
    if (blocked) {
      pending_write_.append(reinterpret_cast<const char*>(p), len);
    } else if (len > 0) {
      staged.append(reinterpret_cast<const char*>(p), len);
    }
  }
  if (!staged.empty()) flush_staged();
  if (!handshake_done_) Advance(env, &cycle);
  return Finish(env, &cycle);
}

Napi::Value Connection::Shutdown(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL* ssl = Require(env);
  RejectReentry(env);
  Cycle cycle;
  if (!failed_ && handshake_done_) {
    if (!pending_write_.empty()) FlushPendingWrites(env, &cycle);
    int r = SSL_shutdown(ssl);
    if (r >= 0) cycle.status |= kShutdownSent;
  }
  return Finish(env, &cycle);
}

void Connection::Destroy(const Napi::CallbackInfo& /*info*/) {
  // A handshake step on the thread pool: freed once it is back (connection_offload.cc).
  if (in_flight_) {
    destroy_deferred_ = true;
    return;
  }
  // From a JS callback inside OpenSSL (PSK): the SSL is freed once OpenSSL
  // returns (and its error queue is left alone meanwhile).
  if (in_js_callback_) {
    destroy_deferred_ = true;
    return;
  }
  ClearErrorOnReturn clear;
  ReleaseSsl();
}

void Connection::ReleaseSsl() noexcept {
  destroy_deferred_ = false;
  if (ssl_) SSL_set_app_data(ssl_.get(), nullptr);
  ssl_.reset();
  in_ = out_ = nullptr;
  pending_write_.clear();
  pending_write_.shrink_to_fit();
  callback_error_.Reset();
}

Napi::Value Connection::IsHandshakeDone(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), handshake_done_);
}

Napi::Value Connection::VerifyError(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL* ssl = Require(env);
  long result = X509_V_OK;
  if (SSL_get0_peer_certificate(ssl) != nullptr) {
    result = SSL_get_verify_result(ssl);
  } else {
    // No certificate: fine for PSK suites, and for a TLS 1.3 PSK handshake
    // (it looks like a resumption); otherwise node:tls reports this.
    const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
    bool psk = (cipher != nullptr && SSL_CIPHER_get_auth_nid(cipher) == NID_auth_psk) ||
               (SSL_version(ssl) >= TLS1_3_VERSION && SSL_session_reused(ssl) == 1);
    result = psk ? X509_V_OK : X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT;
  }
  if (result == X509_V_OK) return env.Null();
  Napi::Array pair = Napi::Array::New(env, 2);
  pair.Set(0u, VerifyErrorName(result));
  pair.Set(1u, X509_verify_cert_error_string(result));
  return pair;
}

Napi::Value Connection::GetPeerCertificate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  return PeerCertificateObject(env, Require(env), info[0].ToBoolean());
}

Napi::Value Connection::GetCertificate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  X509* cert = SSL_get_certificate(Require(env));
  if (cert == nullptr) return env.Null();
  return CertificateToObject(env, cert);
}

Napi::Value Connection::GetPeerCertificateDer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  return CertificateDer(env, SSL_get0_peer_certificate(Require(env)));
}

Napi::Value Connection::GetCertificateDer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  return CertificateDer(env, SSL_get_certificate(Require(env)));
}

Napi::Value Connection::GetCipher(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  const SSL_CIPHER* c = SSL_get_current_cipher(Require(env));
  if (c == nullptr) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", SSL_CIPHER_get_name(c));
  o.Set("standardName", SSL_CIPHER_standard_name(c));
  o.Set("version", SSL_CIPHER_get_version(c));
  return o;
}

Napi::Value Connection::GetProtocol(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  return Napi::String::New(env, SSL_get_version(Require(env)));
}

Napi::Value Connection::GetEphemeralKeyInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL* ssl = Require(env);
  Napi::Object o = Napi::Object::New(env);
  if (is_server_) return o;  // node:tls reports the key only on the client
  EVP_PKEY* raw = nullptr;
  if (SSL_get_peer_tmp_key(ssl, &raw) != 1 || raw == nullptr) return o;
  EvpPkeyPtr key(raw);
  int id = EVP_PKEY_get_base_id(key.get());
  int bits = EVP_PKEY_get_bits(key.get());
  if (id == EVP_PKEY_DH) {
    o.Set("type", "DH");
    o.Set("size", bits);
  } else if (id == EVP_PKEY_EC || id == EVP_PKEY_X25519 || id == EVP_PKEY_X448) {
    o.Set("type", "ECDH");
    if (id == EVP_PKEY_EC) {
      char name[80] = {0};
      size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len) == 1) {
        int nid = OBJ_txt2nid(name);
        o.Set("name", nid != NID_undef ? OBJ_nid2sn(nid) : name);
      }
    } else {
      o.Set("name", OBJ_nid2sn(id));
    }
    o.Set("size", bits);
  }
  return o;
}

namespace {
Napi::Value FinishedMessage(Napi::Env env, SSL* ssl, bool peer) {
  unsigned char probe[1];
  size_t len = peer ? SSL_get_peer_finished(ssl, probe, 0) : SSL_get_finished(ssl, probe, 0);
  if (len == 0) return env.Undefined();
  auto buf = Napi::Buffer<unsigned char>::New(env, len);
  if (peer) {
    SSL_get_peer_finished(ssl, buf.Data(), len);
  } else {
    SSL_get_finished(ssl, buf.Data(), len);
  }
  return buf;
}
}  // namespace

Napi::Value Connection::GetFinished(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  return FinishedMessage(env, Require(env), false);
}

Napi::Value Connection::GetPeerFinished(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  return FinishedMessage(env, Require(env), true);
}

Napi::Value Connection::ExportKeyingMaterial(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL* ssl = Require(env);
  size_t length = info[0].As<Napi::Number>().Uint32Value();
  std::string label = info[1].As<Napi::String>();
  auto out = Napi::Buffer<unsigned char>::New(env, length);
  const unsigned char* context = nullptr;
  size_t context_len = 0;
  bool use_context = info.Length() > 2 && info[2].IsBuffer();
  if (use_context) {
    auto c = info[2].As<Napi::Buffer<unsigned char>>();
    context = c.Data();
    context_len = c.Length();
  }
  if (SSL_export_keying_material(ssl, out.Data(), length, label.data(), label.size(), context, context_len,
                                 use_context ? 1 : 0) != 1) {
    ThrowFromQueue(env, "Key export failed");
  }
  return out;
}

Napi::Value Connection::SetMaxSendFragment(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  long size = info[0].As<Napi::Number>().Int64Value();
  return Napi::Boolean::New(env, SSL_set_max_send_fragment(Require(env), size) == 1);
}

Napi::Value Connection::GetServername(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  const char* name = SSL_get_servername(Require(env), TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) return env.Null();
  return Napi::String::New(env, name);
}

Napi::Value Connection::GetSession(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SSL_SESSION* sess = SSL_get_session(Require(env));
  if (sess == nullptr || !handshake_done_) return env.Undefined();
  int len = i2d_SSL_SESSION(sess, nullptr);
  if (len <= 0) return env.Undefined();
  auto buf = Napi::Buffer<unsigned char>::New(env, static_cast<size_t>(len));
  unsigned char* p = buf.Data();
  i2d_SSL_SESSION(sess, &p);
  return buf;
}

Napi::Value Connection::IsSessionReused(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  return Napi::Boolean::New(env, SSL_session_reused(Require(env)) == 1);
}

}  // namespace otls

// TlsEngine: making the SSL, and driving it (handshake, reads, writes,
// shutdown, renegotiation). OpenSSL's callbacks are in tls_engine_callbacks.cc.
#include "core/tls_engine.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <memory>
#include <new>
#include <string>
#include <utility>

#include "core/byte_queue.h"
#include "core/context_callbacks.h"
#include "core/narrow.h"
#include "core/scratch.h"

namespace otls {

namespace {

constexpr size_t kRecordSize = 16384;

// SSL_get_error's answers when one of our callbacks stopped the handshake.
bool IsPause(int err) { return err == SSL_ERROR_WANT_CLIENT_HELLO_CB || err == SSL_ERROR_WANT_X509_LOOKUP; }

bool IsWant(int err) { return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE; }

// Verification is policy, and policy lives in JS: OpenSSL records the result and
// the handshake goes on; TLSSocket decides after the handshake (as node:tls does).
int AcceptAnyCertificate(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) { return 1; }

std::atomic<uint64_t> pool_steps{0};

}  // namespace

void RunPoolHandshakeStep(TlsEngine* engine, Cycle* cycle) {
  engine->HandshakeStep(cycle);
  pool_steps.fetch_add(1, std::memory_order_relaxed);
  ERR_clear_error();
  OPENSSL_thread_stop();
}

uint64_t PoolHandshakeSteps() { return pool_steps.load(std::memory_order_relaxed); }

TlsEngine::~TlsEngine() {
  // OpenSSL's callbacks must not find a half-destroyed engine.
  if (ssl_) SSL_set_app_data(ssl_.get(), nullptr);
}

const char* TlsEngine::Init(SSL_CTX* ctx, const EngineOptions& options) {
  switches_.is_server = options.is_server;
  switches_.pause_on_client_hello = options.pause_on_client_hello;
  switches_.pause_on_certificate = options.pause_on_certificate;
  switches_.report_sessions = options.report_sessions;
  switches_.report_keylog = options.report_keylog;
  protocols_.alpn = options.alpn_protocols;
  protocols_.npn = options.npn_protocols;

  ssl_.reset(SSL_new(ctx));
  if (!ssl_) return "SSL_new failed";
  SSL* ssl = ssl_.get();
  sessions_.lookup_ctx = ctx;
  if (switches_.report_keylog) EnableKeylogCallback(ctx);
  // Buffers stay with the SSL while it handshakes (one allocation, not one per
  // flight); the context's SSL_MODE_RELEASE_BUFFERS applies once it is done.
  progress_.release_buffers = (SSL_get_mode(ssl) & SSL_MODE_RELEASE_BUFFERS) != 0;
  if (progress_.release_buffers) SSL_clear_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
  BioPtr in(NewQueueBio());
  BioPtr out(NewQueueBio());
  if (!in || !out) return "BIO_new failed";
  in_ = in.get();
  out_ = out.get();
  SSL_set_bio(ssl, in.release(), out.release());  // the SSL owns both now
  SSL_set_app_data(ssl, this);
  SSL_set_info_callback(ssl, InfoCallback);

  // The lists go to OpenSSL with unsigned int lengths (here and in the
  // selection callbacks): longer ones are refused now.
  if (!FitsIn<unsigned int>(protocols_.alpn.size()) || !FitsIn<unsigned int>(protocols_.npn.size())) {
    return "Invalid ALPN protocol list";
  }
  if (!switches_.is_server && !protocols_.alpn.empty()) {
    // A client offers its list now; a server chooses from it in OnAlpnSelect.
    // (SSL_set_alpn_protos returns 0 on success.)
    if (SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(protocols_.alpn.data()),
                            static_cast<unsigned int>(protocols_.alpn.size())) != 0) {
      return "Invalid ALPN protocol list";
    }
  }
  // A client only offers NPN when its context has a select callback, so it is
  // put on the context of the clients that ask for NPN (the server's advertise
  // callback is on every context and stays silent without a list).
  if (!switches_.is_server && !protocols_.npn.empty()) InstallNpnClientCallback(ctx);
  if (!switches_.is_server && options.request_ocsp && SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp) != 1) {
    return "Failed to request OCSP stapling";
  }

  if (switches_.is_server) {
    SSL_set_accept_state(ssl);
    if (switches_.pause_on_certificate) SSL_set_cert_cb(ssl, CertificateCallback, nullptr);
    // A context's own VerifyMode (opensslConfig) stays; requestCert adds to it.
    int mode = SSL_CTX_get_verify_mode(ctx);
    if (options.request_cert) {
      mode |= SSL_VERIFY_PEER;
      if (options.reject_unauthorized) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    }
    SSL_set_verify(ssl, mode, AcceptAnyCertificate);
    // 0-RTT: the tickets this connection issues allow that much early data, and
    // a client resuming with one may send it. OpenSSL's anti-replay stays on: a
    // ticket then works once (TlsEngine::CacheServerSession keeps it for that).
    if (options.max_early_data > 0) {
      if (SSL_set_max_early_data(ssl, options.max_early_data) != 1 ||
          SSL_set_recv_max_early_data(ssl, options.max_early_data) != 1) {
        return "Failed to set maxEarlyData";
      }
      early_.reading = true;
    }
  } else {
    SSL_set_connect_state(ssl);
    SSL_set_verify(ssl, SSL_VERIFY_PEER, AcceptAnyCertificate);
    if (!options.servername.empty() && SSL_set_tlsext_host_name(ssl, options.servername.c_str()) != 1) {
      return "Invalid servername";
    }
    if (!options.session.empty()) {
      const unsigned char* p = reinterpret_cast<const unsigned char*>(options.session.data());
      SslSessionPtr sess(d2i_SSL_SESSION(nullptr, &p, SaturatedCast<long>(options.session.size())));
      // Unparsable data is ignored (a full handshake follows), as in node:tls.
      if (!sess) {
        ERR_clear_error();
      } else if (SSL_set_session(ssl, sess.get()) != 1) {
        return "SSL_set_session failed";
      } else if (!options.early_data.empty() &&
                 options.early_data.size() <= SSL_SESSION_get_max_early_data(sess.get())) {
        // Only what the session's ticket allows; otherwise the driver sends it
        // after the handshake, as it does when the server refuses it.
        early_.to_send = options.early_data;
      }
    }
  }
  return nullptr;
}

void TlsEngine::InfoCallback(const SSL* ssl, int where, int /*ret*/) {
  TlsEngine* self = From(ssl);
  if (self == nullptr) return;
  // TLS 1.3 post-handshake messages (tickets, key updates) also report a
  // handshake start; only a TLS 1.2 handshake after the first is a renegotiation.
  if ((where & SSL_CB_HANDSHAKE_START) && self->progress_.handshake_done && SSL_version(ssl) < TLS1_3_VERSION) {
    self->callback_status_ |= kRenegotiationStarted;
    self->renegotiation_.under_way = true;
    // Nothing of ours pending: the peer started it (what the limiter counts).
    if (SSL_renegotiate_pending(ssl) == 0) ++self->outputs_.peer_renegotiations;
  }
  // A server's own HelloRequest also ends in "done", with the renegotiation
  // still pending until the client's handshake completes.
  if ((where & SSL_CB_HANDSHAKE_DONE) && self->renegotiation_.under_way && SSL_renegotiate_pending(ssl) == 0) {
    self->renegotiation_.under_way = false;
    self->callback_status_ |= kHandshakeDone;
  }
}

void TlsEngine::Fail(Cycle* cycle, int ssl_error) {
  progress_.failed = true;
  cycle->status |= kError;
  // The first failure names the error.
  if (cycle->error_fallback != nullptr) return;
  cycle->error_code = ERR_get_error();
  ERR_clear_error();
  cycle->error_fallback = ssl_error == SSL_ERROR_SYSCALL ? "Unexpected end of TLS stream" : "TLS failure";
}

void TlsEngine::FailSilently() {
  progress_.failed = true;
  ERR_clear_error();
  if (ssl_ && out_ != nullptr) (void)BIO_reset(out_);
}

bool TlsEngine::Feed(const unsigned char* data, size_t len, Cycle* cycle) {
  size_t written = 0;
  if (!progress_.failed && len > 0 && (BIO_write_ex(in_, data, len, &written) != 1 || written != len)) {
    Fail(cycle, SSL_ERROR_SSL);
  }
  return !progress_.failed;
}

void TlsEngine::FailOutOfMemory(Cycle* cycle, const char* message) {
  if (cycle->error_fallback == nullptr) cycle->error_fallback = message;
  Fail(cycle, SSL_ERROR_SSL);
}

bool TlsEngine::RefusesPeer() const {
  if (!switches_.is_server || !ssl_) return false;
  const SSL* ssl = ssl_.get();
  if ((SSL_get_verify_mode(ssl) & SSL_VERIFY_FAIL_IF_NO_PEER_CERT) == 0) return false;
  return SSL_get_verify_result(ssl) != X509_V_OK;
}

bool TlsEngine::NeedsHandshakeStep() const {
  // A PskHandler runs the driver's code, which stays on the driver's thread.
  return switches_.is_server && psk_.handler == nullptr && !progress_.failed && !progress_.handshake_done && !waiting();
}

bool TlsEngine::ReadEarlyData(Cycle* cycle) {
  SSL* ssl = ssl_.get();
  unsigned char buf[kRecordSize];
  for (;;) {
    size_t n = 0;
    int r = SSL_read_early_data(ssl, buf, sizeof(buf), &n);
    if (r == SSL_READ_EARLY_DATA_SUCCESS) {
      try {
        cycle->early_data.append(reinterpret_cast<const char*>(buf), n);
      } catch (const std::bad_alloc&) {
        FailOutOfMemory(cycle, "Out of memory reading early data");
        return false;
      }
      continue;
    }
    if (r == SSL_READ_EARLY_DATA_FINISH) {
      // All of it (or none: not sent, or refused); SSL_do_handshake goes on.
      early_.reading = false;
      return true;
    }
    int err = SSL_get_error(ssl, 0);
    if (IsPause(err)) {
      cycle->status |= kPaused;
    } else if (!IsWant(err)) {
      Fail(cycle, err);
    }
    return false;
  }
}

bool TlsEngine::WriteEarlyData(Cycle* cycle) {
  SSL* ssl = ssl_.get();
  while (!early_.to_send.empty()) {
    size_t written = 0;
    if (SSL_write_early_data(ssl, early_.to_send.data(), early_.to_send.size(), &written) != 1) {
      int err = SSL_get_error(ssl, 0);
      if (!IsWant(err)) Fail(cycle, err);
      return false;
    }
    early_.to_send.erase(0, written);
  }
  return true;
}

bool TlsEngine::early_data_accepted() const {
  return ssl_ && SSL_get_early_data_status(ssl_.get()) == SSL_EARLY_DATA_ACCEPTED;
}

void TlsEngine::HandshakeStep(Cycle* cycle) {
  SSL* ssl = ssl_.get();
  // TLS 1.3 early data comes before the rest of the handshake: a server reads it
  // (and sends its flight meanwhile), a client writes it with its ClientHello.
  if (early_.reading && !ReadEarlyData(cycle)) return;
  if (!early_.to_send.empty() && !WriteEarlyData(cycle)) return;
  int r = SSL_do_handshake(ssl);
  if (r == 1) {
    progress_.handshake_done = true;
    if (progress_.release_buffers) {
      // The mode frees buffers as later reads and writes empty them; an idle
      // connection has none: the handshake's go when the Advance that follows
      // ends (its read loop's ReleaseAfter).
      SSL_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
    }
    cycle->status |= kHandshakeDone;
    return;
  }
  int err = SSL_get_error(ssl, r);
  if (IsPause(err)) {
    cycle->status |= kPaused;
  } else if (!IsWant(err)) {
    Fail(cycle, err);
  }
  // Otherwise it needs more input.
}

bool TlsEngine::FlushPendingWrites(Cycle* cycle) {
  SSL* ssl = ssl_.get();
  // A renegotiation under way is driven by SSL_read only: a write would drive
  // it too, and there OpenSSL takes the peer's interleaved application data
  // for an unexpected record.
  if (SSL_in_init(ssl)) return true;
  size_t offset = 0;
  std::string& pending = progress_.pending_write;
  while (offset < pending.size()) {
    size_t len = std::min(kRecordSize, pending.size() - offset);
    size_t written = 0;
    if (SSL_write_ex(ssl, pending.data() + offset, len, &written) != 1) {
      int err = SSL_get_error(ssl, 0);
      if (IsWant(err)) break;
      Fail(cycle, err);
      return false;
    }
    offset += written;
  }
  pending.erase(0, offset);
  return true;
}

namespace {

// Puts SSL_MODE_RELEASE_BUFFERS back on an SSL, freeing the buffers that are empty.
struct ReleaseAfter {
  SSL* ssl;
  ~ReleaseAfter() {
    if (ssl == nullptr) return;
    SSL_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
    (void)SSL_free_buffers(ssl);  // 0 when a buffer still holds bytes: the mode frees it later
  }
  ReleaseAfter(const ReleaseAfter&) = delete;
  ReleaseAfter& operator=(const ReleaseAfter&) = delete;
  ReleaseAfter(ReleaseAfter&&) = delete;
  ReleaseAfter& operator=(ReleaseAfter&&) = delete;
};

}  // namespace

void TlsEngine::Advance(Cycle* cycle, RecordSink* sink) {
  if (progress_.failed || !ssl_) return;
  // Waiting for the driver: input piles up in the BIO until it answers.
  if (waiting()) return;
  SSL* ssl = ssl_.get();

  if (!progress_.handshake_done) {
    HandshakeStep(cycle);
    if (!progress_.handshake_done) return;
  }

  // Records read (or queued writes written) back to back share OpenSSL's buffers:
  // SSL_MODE_RELEASE_BUFFERS would free and remake them after each one (malloc churn
  // that trims and regrows the heap). Off for the loop; what is empty is freed once,
  // after it.
  const bool release = progress_.release_buffers;
  if (release) SSL_clear_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
  const ReleaseAfter release_after{release ? ssl : nullptr};

  if (!progress_.pending_write.empty() && !FlushPendingWrites(cycle)) return;
  ReadBuf& buf = ReadBuffer();
  for (;;) {
    size_t n = 0;
    int r = 0;
    unsigned char* in_place = nullptr;
    void* record = nullptr;
    size_t cap = 0;
    if (sink != nullptr) {
      // A record is read once it is whole: OpenSSL then keeps none of it, and the
      // next one's header says how much cleartext it can hold.
      bool partial = false;
      cap = NextRecordCleartext(&partial);
      if (partial) break;
      if (cap > 0) in_place = sink->Reserve(cap, &record);
    }
    if (in_place != nullptr) {
      r = SSL_read_ex(ssl, in_place, cap, &n);
      if (r == 1) {
        if (SSL_pending(ssl) > 0) {
          // A post-handshake message (TLS 1.3: a ticket) came first, and the record
          // after it holds more than its header promised: the rest joins it.
          record = ReadRest(in_place, n, sink, &n);
        } else if (n < cap) {
          // Less than the record could hold (padding, or a message read first).
          record = sink->Copy(in_place, n);
        }
        if (!Sunk(cycle, record, n)) return;
        continue;
      }
    } else {
      // With a sink, ReadBuffer() holds one record at a time.
      const size_t at = sink != nullptr ? 0 : cycle->cleartext;
      // Cleartext is never more than the encrypted bytes still to read.
      size_t want = BIO_ctrl_pending(in_) + static_cast<size_t>(SSL_pending(ssl)) + kRecordSize;
      if (!buf.Grow(at + want, at)) {
        FailOutOfMemory(cycle, "Out of memory reading cleartext");
        return;
      }
      r = SSL_read_ex(ssl, buf.data() + at, buf.size() - at, &n);
      if (r == 1 && sink != nullptr) {
        if (!Sunk(cycle, sink->Copy(buf.data(), n), n)) return;
        continue;
      }
      if (r == 1) {
        // One SSL_read_ex is at most one record: a boundary before each but the first.
        if (cycle->cleartext > 0) cycle->record_ends.push_back(cycle->cleartext);
        cycle->cleartext += n;
        continue;
      }
    }
    int err = SSL_get_error(ssl, r);
    if (IsWant(err)) break;
    if (IsPause(err)) {  // a renegotiation stopped for the driver
      cycle->status |= kPaused;
      return;
    }
    if (err == SSL_ERROR_ZERO_RETURN) {
      cycle->status |= kPeerClosed;
      break;
    }
    Fail(cycle, err);
    return;
  }
  // A renegotiation may have finished while reading: what waited can go now.
  if (!progress_.pending_write.empty()) FlushPendingWrites(cycle);
}

void TlsEngine::Write(const Chunk* chunks, size_t count, Cycle* cycle) {
  if (progress_.failed || !ssl_) return;
  SSL* ssl = ssl_.get();
  // Each SSL_write_ex below is one record: SSL_MODE_RELEASE_BUFFERS would free and
  // remake OpenSSL's write buffer after every one of them (a 17 KiB malloc each).
  // Off for the call, as for Advance's read loop; what is empty is freed after it.
  const bool release = progress_.release_buffers && progress_.handshake_done;
  if (release) SSL_clear_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
  const ReleaseAfter release_after{release ? ssl : nullptr};
  // Small chunks are gathered into full records; large ones, and a last one
  // with nothing gathered before it, go straight from the caller's memory into
  // SSL_write. What OpenSSL cannot take yet is queued.
  ScratchLease<ScratchSlot::kStaged> lease;
  std::string& staged = lease.bytes();
  std::string& pending = progress_.pending_write;
  bool blocked = !progress_.handshake_done || !pending.empty() || SSL_in_init(ssl);
  // Writes one record; false once blocked or failed.
  auto write_record = [&](const unsigned char* p, size_t len, size_t* written) -> bool {
    if (SSL_write_ex(ssl, p, len, written) == 1) return true;
    int err = SSL_get_error(ssl, 0);
    if (!IsWant(err)) Fail(cycle, err);
    blocked = true;
    return false;
  };
  auto flush_staged = [&]() {
    size_t offset = 0;
    while (!blocked && offset < staged.size()) {
      size_t written = 0;
      size_t len = std::min(kRecordSize, staged.size() - offset);
      if (!write_record(reinterpret_cast<const unsigned char*>(staged.data()) + offset, len, &written)) break;
      offset += written;
    }
    if (!progress_.failed) pending.append(staged, offset, std::string::npos);
    staged.clear();
  };

  for (size_t i = 0; i < count && !progress_.failed; ++i) {
    const unsigned char* p = chunks[i].data;
    size_t len = chunks[i].len;
    if (blocked) {
      pending.append(reinterpret_cast<const char*>(p), len);
      continue;
    }
    if (staged.size() + len < kRecordSize) {
      if (staged.empty() && i + 1 == count) {
        // One record of the caller's bytes as they are.
        size_t written = 0;
        if (len > 0 && !write_record(p, len, &written) && !progress_.failed) {
          pending.append(reinterpret_cast<const char*>(p), len);
        }
        continue;
      }
      if (staged.capacity() < kRecordSize) staged.reserve(kRecordSize);
      staged.append(reinterpret_cast<const char*>(p), len);
      continue;
    }
    // Top the staged bytes up to one full record, then write the rest directly.
    if (!staged.empty()) {
      size_t take = kRecordSize - staged.size();
      staged.append(reinterpret_cast<const char*>(p), take);
      p += take;
      len -= take;
      flush_staged();
      if (progress_.failed) return;
    }
    while (!blocked && len >= kRecordSize) {
      size_t written = 0;
      if (!write_record(p, kRecordSize, &written)) break;
      p += written;
      len -= written;
    }
    if (progress_.failed) return;
    if (blocked) {
      pending.append(reinterpret_cast<const char*>(p), len);
    } else if (len > 0) {
      staged.append(reinterpret_cast<const char*>(p), len);
    }
  }
  if (progress_.failed) return;
  if (!staged.empty()) flush_staged();
  if (!progress_.handshake_done) Advance(cycle);
}

void TlsEngine::Shutdown(Cycle* cycle) {
  if (progress_.failed || !progress_.handshake_done || !ssl_) return;
  if (!progress_.pending_write.empty()) FlushPendingWrites(cycle);
  if (SSL_shutdown(ssl_.get()) >= 0) cycle->status |= kShutdownSent;
}

bool TlsEngine::Renegotiate(bool set_request_cert, bool request_cert, bool reject_unauthorized, Cycle* cycle) {
  SSL* ssl = ssl_.get();
  if (switches_.is_server) {
    if (set_request_cert) {
      int mode = SSL_VERIFY_NONE;
      if (request_cert) {
        mode = SSL_VERIFY_PEER;
        if (reject_unauthorized) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      }
      // Keep the verify callback the connection was made with.
      SSL_set_verify(ssl, mode, SSL_get_verify_callback(ssl));
    }
    // A client answering with a resumption would skip the certificate
    // exchange, so the server asks for a full handshake.
    SSL_set_options(ssl, SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
  }
  // TLS 1.3 has no renegotiation: OpenSSL refuses (ERR_SSL_WRONG_SSL_VERSION).
  if (SSL_renegotiate(ssl) != 1) return false;
  // The next read sends the HelloRequest (server) or ClientHello (client):
  // the handshake is driven by SSL_read, which alone lets the peer's
  // application data through while it runs.
  Advance(cycle);
  return true;
}

void TlsEngine::Collect(Cycle* cycle) {
  cycle->status |= callback_status_;
  callback_status_ = 0;
  if (!progress_.pending_write.empty()) cycle->status |= kWritePending;
  if (outputs_.empty()) return;
  EngineOutputs& out = cycle->outputs;
  if (out.empty()) {
    out = std::move(outputs_);
  } else {
    // A second Collect in one call (a driver inside a driver): append.
    for (NewSession& s : outputs_.sessions) out.sessions.push_back(std::move(s));
    for (std::string& line : outputs_.keylog) out.keylog.push_back(std::move(line));
    out.peer_renegotiations += outputs_.peer_renegotiations;
    if (outputs_.ocsp) out.ocsp = std::move(outputs_.ocsp);
  }
  outputs_ = EngineOutputs();
}

size_t TlsEngine::PendingOutput() const { return ssl_ ? BIO_ctrl_pending(out_) : 0; }

size_t TlsEngine::ReadOutput(unsigned char* out, size_t len) {
  if (!ssl_ || len == 0) return 0;
  int n = BIO_read(out_, out, SaturatedCast<int>(len));
  return n > 0 ? static_cast<size_t>(n) : 0;
}

size_t TlsEngine::PeekOutput(const char** data) const {
  *data = nullptr;
  if (!ssl_) return 0;
  const ByteQueue* buf = QueueOf(out_);
  if (buf == nullptr || buf->size() == 0) return 0;
  *data = buf->data();
  return buf->size();
}

void TlsEngine::ClearOutput() {
  if (!ssl_) return;
  if (ByteQueue* buf = QueueOf(out_)) buf->Clear();
}

void TlsEngine::ReleaseQueues() {
  if (!ssl_) return;
  if (ByteQueue* buf = QueueOf(in_)) buf->Release();
  if (ByteQueue* buf = QueueOf(out_)) buf->Release();
}

void TlsEngine::set_report_keylog(bool on) {
  switches_.report_keylog = on;
  if (on && ssl_) EnableKeylogCallback(SSL_get_SSL_CTX(ssl_.get()));
}

bool TlsEngine::SwitchContext(SSL_CTX* ctx) {
  SSL* ssl = ssl_.get();
  if (ctx == SSL_get_SSL_CTX(ssl)) return true;
  if (SSL_set_SSL_CTX(ssl, ctx) == nullptr) return false;
  // OpenSSL asks the connection's current context for the key log callback.
  if (switches_.report_keylog) EnableKeylogCallback(ctx);
  // Client certificates are verified against the chosen context's trust.
  SSL_set1_verify_cert_store(ssl, SSL_CTX_get_cert_store(ctx));
  STACK_OF(X509_NAME)* cas = SSL_CTX_get_client_CA_list(ctx);
  if (cas != nullptr) SSL_set_client_CA_list(ssl, SSL_dup_CA_list(cas));
  // The PSK identity hint lived in the certificate data just replaced.
  if (!psk_.hint.empty()) (void)SSL_use_psk_identity_hint(ssl, psk_.hint.c_str());
  return true;
}

}  // namespace otls

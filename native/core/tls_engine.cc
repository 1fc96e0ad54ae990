// TlsEngine: making the SSL, and driving it (handshake, reads, writes,
// shutdown, renegotiation). OpenSSL's callbacks are in tls_engine_callbacks.cc.
#include "core/tls_engine.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <climits>
#include <deque>
#include <memory>
#include <new>

#include "core/context_callbacks.h"

namespace otls {

namespace {

constexpr size_t kRecordSize = 16384;

// SSL_get_error's answers when one of our callbacks stopped the handshake.
bool IsPause(int err) { return err == SSL_ERROR_WANT_CLIENT_HELLO_CB || err == SSL_ERROR_WANT_X509_LOOKUP; }

bool IsWant(int err) { return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE; }

// Verification is policy, and policy lives in JS: OpenSSL records the result and
// the handshake goes on; TLSSocket decides after the handshake (as node:tls does).
int AcceptAnyCertificate(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) { return 1; }

// The engine's two BIOs are byte queues of this kind.
// Output: what OpenSSL writes is appended to one buffer, which the driver reads
// out (JS transport) or sends in place and then clears (native transport). A
// memory BIO cannot forget its bytes without wiping its whole buffer or copying
// them out.
// Input: the driver's bytes are appended, OpenSSL reads them out; empty means
// "retry", never end of file. A memory BIO grows by BUF_MEM_grow_clean, which
// copies and wipes its whole buffer on every growth (a fifth of a bulk read's
// instructions).
class ByteQueue {
 public:
  const char* data() const { return bytes_.data() + start_; }
  size_t size() const { return bytes_.size() - start_; }
  bool Append(const char* p, size_t n) {
    try {
      if (start_ == bytes_.size()) {
        Clear();
      } else if (start_ >= bytes_.size() - start_) {
        // What is left (a partial record, say) moves to the front, so a queue
        // that is never quite empty does not grow without end.
        bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(start_));
        start_ = 0;
      }
      if (bytes_.size() + n > bytes_.capacity()) GrowFromSpare(size() + n);
      bytes_.insert(bytes_.end(), p, p + n);
      return true;
    } catch (...) {
      return false;
    }
  }
  size_t Read(char* out, size_t n) {
    n = std::min(n, size());
    std::copy_n(data(), n, out);
    start_ += n;
    if (start_ == bytes_.size()) Clear();
    return n;
  }
  void Clear() {
    bytes_.clear();
    start_ = 0;
    // A burst (bulk writes) leaves a big buffer behind: the connection gives it
    // back, to this thread's spare when it fits there, so the next burst on any
    // connection grows into it instead of copying its way up again.
    const size_t cap = bytes_.capacity();
    if (cap <= kKeepCapacity) return;
    std::vector<char>& spare = Spare();
    if (cap <= kMaxSpareCapacity && cap > spare.capacity()) bytes_.swap(spare);
    std::vector<char>().swap(bytes_);
  }

 private:
  static constexpr size_t kKeepCapacity = 64 * 1024;
  static constexpr size_t kMaxSpareCapacity = 256 * 1024;
  static std::vector<char>& Spare() {
    thread_local std::vector<char> spare;
    return spare;
  }
  // Before a growth: this thread's spare, if it is big enough, takes the bytes.
  void GrowFromSpare(size_t need) {
    std::vector<char>& spare = Spare();
    if (spare.capacity() < need) return;
    spare.assign(bytes_.begin() + static_cast<std::ptrdiff_t>(start_), bytes_.end());
    start_ = 0;
    bytes_.swap(spare);
    std::vector<char>().swap(spare);
  }
  std::vector<char> bytes_;
  size_t start_ = 0;
};

int QueueWrite(BIO* bio, const char* data, size_t len, size_t* written) {
  auto* buf = static_cast<ByteQueue*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (buf == nullptr || !buf->Append(data, len)) return 0;
  *written = len;
  return 1;
}

int QueueRead(BIO* bio, char* data, size_t len, size_t* read) {
  auto* buf = static_cast<ByteQueue*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (buf == nullptr || buf->size() == 0) {
    BIO_set_retry_read(bio);
    return 0;
  }
  *read = buf->Read(data, len);
  return 1;
}

long QueueCtrl(BIO* bio, int cmd, long /*num*/, void* /*ptr*/) {
  auto* buf = static_cast<ByteQueue*>(BIO_get_data(bio));
  switch (cmd) {
    case BIO_CTRL_PENDING:
      return buf == nullptr ? 0 : static_cast<long>(std::min<size_t>(buf->size(), LONG_MAX));
    case BIO_CTRL_WPENDING:
      return 0;
    case BIO_CTRL_RESET:
      if (buf != nullptr) buf->Clear();
      return 1;
    case BIO_CTRL_EOF:
      return buf == nullptr || buf->size() == 0;
    case BIO_CTRL_FLUSH:
      return 1;
    default:
      return 0;
  }
}

int QueueCreate(BIO* bio) {
  BIO_set_data(bio, new (std::nothrow) ByteQueue());
  BIO_set_init(bio, BIO_get_data(bio) != nullptr ? 1 : 0);
  return BIO_get_data(bio) != nullptr ? 1 : 0;
}

int QueueDestroy(BIO* bio) {
  std::unique_ptr<ByteQueue> owned(static_cast<ByteQueue*>(BIO_get_data(bio)));
  BIO_set_data(bio, nullptr);
  return 1;
}

// Made once, kept for the life of the process.
const BIO_METHOD* QueueBioMethod() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "openssl-tls output");
    if (m != nullptr) {
      BIO_meth_set_write_ex(m, QueueWrite);
      BIO_meth_set_read_ex(m, QueueRead);
      BIO_meth_set_ctrl(m, QueueCtrl);
      BIO_meth_set_create(m, QueueCreate);
      BIO_meth_set_destroy(m, QueueDestroy);
    }
    return m;
  }();
  return method;
}

}  // namespace

namespace {
std::atomic<uint64_t> pool_steps{0};
}  // namespace

void RunPoolHandshakeStep(TlsEngine* engine, Cycle* cycle) {
  engine->HandshakeStep(cycle);
  pool_steps.fetch_add(1, std::memory_order_relaxed);
  ERR_clear_error();
  OPENSSL_thread_stop();
}

uint64_t PoolHandshakeSteps() { return pool_steps.load(std::memory_order_relaxed); }

size_t& JsCallbackDepth() {
  thread_local size_t depth = 0;
  return depth;
}

bool ReadBuf::Grow(size_t n, size_t keep) {
  if (n <= size_) return true;
  if (keep == 0) {
    // Nothing to keep: a fresh block, not realloc's copy of stale bytes.
    bytes_.reset(static_cast<unsigned char*>(std::malloc(n)));
  } else {
    void* p = std::realloc(bytes_.get(), n);
    if (p == nullptr) return false;
    (void)bytes_.release();
    bytes_.reset(static_cast<unsigned char*>(p));
  }
  size_ = bytes_ ? n : 0;
  return size_ != 0;
}

MallocBytes ReadBuf::Take(size_t* size) {
  *size = size_;
  size_ = 0;
  return std::move(bytes_);
}

// One decrypt buffer shared by every connection on this thread (uSockets' habit):
// cleartext is read here and copied once into what the driver hands on, or,
// when large, the buffer itself is handed on (ReadBuf::Take).
ReadBuf& ReadBuffer() {
  thread_local std::deque<ReadBuf> buffers;
  const size_t depth = JsCallbackDepth();
  while (buffers.size() <= depth) buffers.emplace_back();
  return buffers[depth];
}

TlsEngine::~TlsEngine() {
  // OpenSSL's callbacks must not find a half-destroyed engine.
  if (ssl_) SSL_set_app_data(ssl_.get(), nullptr);
}

const char* TlsEngine::Init(SSL_CTX* ctx, const EngineOptions& options) {
  is_server_ = options.is_server;
  pause_on_client_hello_ = options.pause_on_client_hello;
  pause_on_certificate_ = options.pause_on_certificate;
  report_sessions_ = options.report_sessions;
  report_keylog_ = options.report_keylog;
  alpn_protocols_ = options.alpn_protocols;
  npn_protocols_ = options.npn_protocols;

  ssl_.reset(SSL_new(ctx));
  if (!ssl_) return "SSL_new failed";
  SSL* ssl = ssl_.get();
  session_ctx_ = ctx;
  // Buffers stay with the SSL while it handshakes (one allocation, not one per
  // flight); the context's SSL_MODE_RELEASE_BUFFERS applies once it is done.
  release_buffers_ = (SSL_get_mode(ssl) & SSL_MODE_RELEASE_BUFFERS) != 0;
  if (release_buffers_) SSL_clear_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
  BIO* in = BIO_new(QueueBioMethod());
  BIO* out = BIO_new(QueueBioMethod());
  if (in == nullptr || out == nullptr) {
    BIO_free(in);
    BIO_free(out);
    return "BIO_new failed";
  }

  SSL_set_bio(ssl, in, out);
  in_ = in;
  out_ = out;
  SSL_set_app_data(ssl, this);
  SSL_set_info_callback(ssl, InfoCallback);

  if (!is_server_ && !alpn_protocols_.empty()) {
    // A client offers its list now; a server chooses from it in OnAlpnSelect.
    // (SSL_set_alpn_protos returns 0 on success.)
    if (SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(alpn_protocols_.data()),
                            static_cast<unsigned int>(alpn_protocols_.size())) != 0) {
      return "Invalid ALPN protocol list";
    }
  }
  // A client only offers NPN when its context has a select callback, so it is
  // put on the context of the clients that ask for NPN (the server's advertise
  // callback is on every context and stays silent without a list).
  if (!is_server_ && !npn_protocols_.empty()) InstallNpnClientCallback(ctx);
  if (!is_server_ && options.request_ocsp && SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp) != 1) {
    return "Failed to request OCSP stapling";
  }

  if (is_server_) {
    SSL_set_accept_state(ssl);
    if (pause_on_certificate_) SSL_set_cert_cb(ssl, CertificateCallback, nullptr);
    int mode = SSL_VERIFY_NONE;
    if (options.request_cert) {
      mode = SSL_VERIFY_PEER;
      if (options.reject_unauthorized) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    }
    SSL_set_verify(ssl, mode, AcceptAnyCertificate);
  } else {
    SSL_set_connect_state(ssl);
    SSL_set_verify(ssl, SSL_VERIFY_PEER, AcceptAnyCertificate);
    if (!options.servername.empty() && SSL_set_tlsext_host_name(ssl, options.servername.c_str()) != 1) {
      return "Invalid servername";
    }
    if (!options.session.empty()) {
      const unsigned char* p = reinterpret_cast<const unsigned char*>(options.session.data());
      SslSessionPtr sess(d2i_SSL_SESSION(nullptr, &p, static_cast<long>(options.session.size())));
      // Unparsable data is ignored (a full handshake follows), as in node:tls.
      if (!sess) {
        ERR_clear_error();
      } else if (SSL_set_session(ssl, sess.get()) != 1) {
        return "SSL_set_session failed";
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

void TlsEngine::Fail(Cycle* cycle, int ssl_error) {
  failed_ = true;
  cycle->status |= kError;
  // The first failure names the error.
  if (cycle->error_fallback != nullptr) return;
  cycle->error_code = ERR_get_error();
  ERR_clear_error();
  cycle->error_fallback = ssl_error == SSL_ERROR_SYSCALL ? "Unexpected end of TLS stream" : "TLS failure";
}

void TlsEngine::FailSilently() {
  failed_ = true;
  ERR_clear_error();
  if (ssl_ && out_ != nullptr) (void)BIO_reset(out_);
}

bool TlsEngine::Feed(const unsigned char* data, size_t len, Cycle* cycle) {
  size_t written = 0;
  if (!failed_ && len > 0 && (BIO_write_ex(in_, data, len, &written) != 1 || written != len)) {
    Fail(cycle, SSL_ERROR_SSL);
  }
  return !failed_;
}

bool TlsEngine::NeedsHandshakeStep() const {
  // A PskHandler runs the driver's code, which stays on the driver's thread.
  return is_server_ && psk_ == nullptr && !failed_ && !handshake_done_ && !waiting();
}

void TlsEngine::HandshakeStep(Cycle* cycle) {
  SSL* ssl = ssl_.get();
  int r = SSL_do_handshake(ssl);
  if (r == 1) {
    handshake_done_ = true;
    if (release_buffers_) {
      SSL_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
      // The mode frees buffers as later reads and writes empty them; an idle
      // connection has none, so the handshake's are freed at the end of this call.
      free_buffers_ = true;
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
  while (offset < pending_write_.size()) {
    size_t len = std::min(kRecordSize, pending_write_.size() - offset);
    size_t written = 0;
    if (SSL_write_ex(ssl, pending_write_.data() + offset, len, &written) != 1) {
      int err = SSL_get_error(ssl, 0);
      if (IsWant(err)) break;
      Fail(cycle, err);
      return false;
    }
    offset += written;
  }
  pending_write_.erase(0, offset);
  return true;
}

void TlsEngine::Advance(Cycle* cycle) {
  if (failed_ || !ssl_) return;
  // Waiting for the driver: input piles up in the BIO until it answers.
  if (waiting()) return;
  SSL* ssl = ssl_.get();

  if (!handshake_done_) {
    HandshakeStep(cycle);
    if (!handshake_done_) return;
  }

  if (!pending_write_.empty() && !FlushPendingWrites(cycle)) return;

  ReadBuf& buf = ReadBuffer();
  for (;;) {
    // Cleartext is never more than the encrypted bytes still to read.
    size_t want = BIO_ctrl_pending(in_) + static_cast<size_t>(SSL_pending(ssl)) + kRecordSize;
    if (!buf.Grow(cycle->cleartext + want, cycle->cleartext)) {
      if (cycle->error_fallback == nullptr) cycle->error_fallback = "Out of memory reading cleartext";
      Fail(cycle, SSL_ERROR_SSL);
      return;
    }
    size_t n = 0;
    int r = SSL_read_ex(ssl, buf.data() + cycle->cleartext, buf.size() - cycle->cleartext, &n);
    if (r == 1) {
      cycle->cleartext += n;
      continue;
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
  if (!pending_write_.empty()) FlushPendingWrites(cycle);
  if (free_buffers_) {
    free_buffers_ = false;
    (void)SSL_free_buffers(ssl);  // 0 when a buffer still holds bytes: the mode frees it later
  }
}

void TlsEngine::Write(const Chunk* chunks, size_t count, Cycle* cycle) {
  if (failed_ || !ssl_) return;
  SSL* ssl = ssl_.get();
  // Small chunks are gathered into full records; large ones go straight from
  // the caller's memory into SSL_write. What OpenSSL cannot take yet is queued.
  std::string staged;
  bool blocked = !handshake_done_ || !pending_write_.empty() || SSL_in_init(ssl);
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
    if (!failed_) pending_write_.append(staged, offset, std::string::npos);
    staged.clear();
  };

  for (size_t i = 0; i < count && !failed_; ++i) {
    const unsigned char* p = chunks[i].data;
    size_t len = chunks[i].len;
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
      flush_staged();
      if (failed_) return;
    }
    while (!blocked && len >= kRecordSize) {
      size_t written = 0;
      if (!write_record(p, kRecordSize, &written)) break;
      p += written;
      len -= written;
    }
    if (failed_) return;
    if (blocked) {
      pending_write_.append(reinterpret_cast<const char*>(p), len);
    } else if (len > 0) {
      staged.append(reinterpret_cast<const char*>(p), len);
    }
  }
  if (failed_) return;
  if (!staged.empty()) flush_staged();
  if (!handshake_done_) Advance(cycle);
}

void TlsEngine::Shutdown(Cycle* cycle) {
  if (failed_ || !handshake_done_ || !ssl_) return;
  if (!pending_write_.empty()) FlushPendingWrites(cycle);
  if (SSL_shutdown(ssl_.get()) >= 0) cycle->status |= kShutdownSent;
}

bool TlsEngine::Renegotiate(bool set_request_cert, bool request_cert, bool reject_unauthorized, Cycle* cycle) {
  SSL* ssl = ssl_.get();
  if (is_server_) {
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
  if (!pending_write_.empty()) cycle->status |= kWritePending;
}

size_t TlsEngine::PendingOutput() const { return ssl_ ? BIO_ctrl_pending(out_) : 0; }

size_t TlsEngine::ReadOutput(unsigned char* out, size_t len) {
  if (!ssl_ || len == 0) return 0;
  int n = BIO_read(out_, out, static_cast<int>(std::min<size_t>(len, INT32_MAX)));
  return n > 0 ? static_cast<size_t>(n) : 0;
}

size_t TlsEngine::PeekOutput(const char** data) const {
  *data = nullptr;
  if (!ssl_) return 0;
  const ByteQueue* buf = static_cast<const ByteQueue*>(BIO_get_data(out_));
  if (buf == nullptr || buf->size() == 0) return 0;
  *data = buf->data();
  return buf->size();
}

void TlsEngine::ClearOutput() {
  if (!ssl_) return;
  if (auto* buf = static_cast<ByteQueue*>(BIO_get_data(out_))) buf->Clear();
}

bool TlsEngine::SwitchContext(SSL_CTX* ctx) {
  SSL* ssl = ssl_.get();
  if (ctx == SSL_get_SSL_CTX(ssl)) return true;
  if (SSL_set_SSL_CTX(ssl, ctx) == nullptr) return false;
  // Client certificates are verified against the chosen context's trust.
  SSL_set1_verify_cert_store(ssl, SSL_CTX_get_cert_store(ctx));
  STACK_OF(X509_NAME)* cas = SSL_CTX_get_client_CA_list(ctx);
  if (cas != nullptr) SSL_set_client_CA_list(ssl, SSL_dup_CA_list(cas));
  // The PSK identity hint lived in the certificate data just replaced.
  if (!psk_hint_.empty()) (void)SSL_use_psk_identity_hint(ssl, psk_hint_.c_str());
  return true;
}

}  // namespace otls

// TlsEngine: one SSL between two memory BIOs, with no N-API in it. Encrypted
// bytes go in, cleartext and encrypted bytes come out, and every call says in a
// Cycle why it stopped. OpenSSL's callbacks (context_callbacks.cc, and the
// per-SSL ones here) find the engine through the SSL's app data and only record
// what happened; whoever drives the engine reports it afterwards.
//
// Drivers: Connection (connection.cc: the JS object of typings/native.d.ts,
// which turns a Cycle into a CycleResult), the handshake worker on the thread
// pool (connection_offload.cc), and the fuzz targets (native/fuzz/), which feed
// it arbitrary bytes without Node.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/ossl.h"

namespace otls {

enum Status : uint32_t {
  kHandshakeDone = 1u << 0,
  kRenegotiationStarted = 1u << 1,
  kPeerClosed = 1u << 2,
  kError = 1u << 3,
  kPaused = 1u << 4,
  kShutdownSent = 1u << 5,
  kWritePending = 1u << 6,
};

// Why a handshake is waiting for its driver (CycleResult.pause.kind).
enum class Pause { kNone, kClientHello, kCertificate };

// Memory from malloc, owned: a buffer whose bytes can be handed on as they are.
struct FreeDeleter {
  void operator()(unsigned char* p) const noexcept { std::free(p); }
};
using MallocBytes = std::unique_ptr<unsigned char, FreeDeleter>;

// A decrypt buffer: grows without zero-filling, and its storage can be taken
// whole (Take), so large cleartext reaches JS with no copy.
class ReadBuf {
 public:
  unsigned char* data() const { return bytes_.get(); }
  size_t size() const { return size_; }
  // At least n bytes, keeping the first `keep`; false when memory ran out.
  bool Grow(size_t n, size_t keep);
  // The storage and its size; the buffer is left empty.
  MallocBytes Take(size_t* size);

 private:
  MallocBytes bytes_;
  size_t size_ = 0;
};

// The cleartext read buffer of this thread: one per nesting level of JS
// callbacks running inside OpenSSL (PSK), since the interrupted call may still
// be reading into the outer one. A Cycle's cleartext is its first bytes.
ReadBuf& ReadBuffer();


// How deeply JS callbacks run inside OpenSSL on this thread (PSK).
size_t& JsCallbackDepth();

// What one call has produced so far.
struct Cycle {
  uint32_t status = 0;
  size_t cleartext = 0;  // bytes of ReadBuffer() in use
  // The failure, when status has kError: OpenSSL's first error (0 when it
  // queued none) and the message to use then. Taken off the error queue of the
  // thread that failed, so it survives a step on the thread pool.
  unsigned long error_code = 0;
  const char* error_fallback = nullptr;
};

// One piece of cleartext to write.
struct Chunk {
  const unsigned char* data;
  size_t len;
};

// How the engine is set up; fixed when it is made, so a listener added later
// affects only later connections, as in node:tls.
struct EngineOptions {
  bool is_server = false;
  bool pause_on_client_hello = false;
  bool pause_on_certificate = false;
  bool report_sessions = false;
  bool report_keylog = false;
  bool request_cert = false;         // server
  bool reject_unauthorized = false;  // server, with request_cert
  std::string servername;            // client: SNI (empty: none)
  std::string session;               // client: a DER session to resume (unparsable: ignored)
  std::string alpn_protocols;        // wire format, already validated
  std::string npn_protocols;         // wire format, already validated
  bool request_ocsp = false;         // client
};

// OpenSSL's PSK callbacks cannot pause: their answer comes from the driver at once.
class PskHandler {
 public:
  virtual unsigned int OnPskServer(const char* identity, unsigned char* psk, unsigned int max_psk_len) noexcept = 0;
  virtual unsigned int OnPskClient(const char* hint, char* identity, unsigned int max_identity_len,
                                   unsigned char* psk, unsigned int max_psk_len) noexcept = 0;

 protected:
  ~PskHandler() = default;
};

class TlsEngine {
 public:
  TlsEngine() = default;
  ~TlsEngine();
  TlsEngine(const TlsEngine&) = delete;
  TlsEngine& operator=(const TlsEngine&) = delete;

  // Makes the SSL. Returns null, or what failed (the reason is on OpenSSL's
  // error queue).
  const char* Init(SSL_CTX* ctx, const EngineOptions& options);

  // The engine an SSL belongs to (null once it is gone).
  static TlsEngine* From(const SSL* ssl) { return static_cast<TlsEngine*>(SSL_get_app_data(ssl)); }

  SSL* ssl() const { return ssl_.get(); }
  bool is_server() const { return is_server_; }
  bool handshake_done() const { return handshake_done_; }
  bool failed() const { return failed_; }

  // --- Driving (one call per chunk, write batch or answer) -----------------
  // Puts encrypted input into the input BIO; false once the connection failed.
  bool Feed(const unsigned char* data, size_t len, Cycle* cycle);
  // Runs the state machine as far as it goes without more input: handshake,
  // queued writes, then reads into ReadBuffer().
  void Advance(Cycle* cycle);
  // One SSL_do_handshake and what it says (all a thread-pool step does).
  void HandshakeStep(Cycle* cycle);
  // True when the next Advance would run a handshake step (server, not done, not waiting).
  bool NeedsHandshakeStep() const;
  // Cleartext to send: small chunks gathered into full records, big ones
  // written straight; what OpenSSL cannot take yet is queued and retried.
  void Write(const Chunk* chunks, size_t count, Cycle* cycle);
  // Sends close_notify (after what is queued).
  void Shutdown(Cycle* cycle);
  // TLS 1.2 renegotiation: a server may change its client-certificate request.
  // Returns false (reason queued) when OpenSSL refuses.
  bool Renegotiate(bool set_request_cert, bool request_cert, bool reject_unauthorized, Cycle* cycle);
  // Folds in what callbacks reported; call once at the end of every call.
  void Collect(Cycle* cycle);
  // A failure decided by the driver (a JS callback's error): nothing more goes
  // out, not even what OpenSSL queued for the peer.
  void FailSilently();

  // The encrypted output.
  size_t PendingOutput() const;
  size_t ReadOutput(unsigned char* out, size_t len);
  // The encrypted output in place (valid until the next engine call), and
  // dropping all of it once it has been sent or copied (no wipe, no copy).
  size_t PeekOutput(const char** data) const;
  void ClearOutput();

  // --- A handshake waiting for its driver ----------------------------------
  Pause paused() const { return paused_; }
  bool waiting() const { return paused_ != Pause::kNone && !answered_; }
  const std::string& hello_servername() const { return hello_servername_; }
  const std::string& hello_session_id() const { return hello_session_id_; }
  const std::string& hello_alpn() const { return hello_alpn_; }
  bool hello_ticket() const { return hello_ticket_; }
  // The answer (any of these, then MarkAnswered; the next Advance goes on).
  bool SwitchContext(SSL_CTX* ctx);  // false: SSL_set_SSL_CTX failed (reason queued)
  void SetFoundSession(SslSessionPtr session) { found_session_ = std::move(session); }
  void ChooseAlpn(std::string protocol);
  void RefuseAlpn();
  void SetOcspResponse(std::string response);
  void MarkAnswered() { answered_ = true; }

  // --- Settings after creation ---------------------------------------------
  void set_report_sessions(bool on) { report_sessions_ = on; }
  void set_report_keylog(bool on) { report_keylog_ = on; }
  void EnablePsk(PskHandler* handler);
  bool SetPskIdentityHint(const std::string& hint);  // false: refused (reason queued)

  // --- Reported with the next result (the driver takes them) ---------------
  std::vector<std::pair<std::string, std::string>>& new_sessions() { return new_sessions_; }  // id, DER
  bool has_new_sessions() const { return !new_sessions_.empty(); }
  std::vector<std::string>& keylog() { return keylog_; }
  uint32_t TakePeerRenegotiations() { return std::exchange(peer_renegotiations_, 0u); }
  // The OCSP response a client received (null: none stapled); false when nothing to report.
  bool TakeOcspReport(bool* stapled, std::string* response);

  // NPN: what the client's selection found.
  const std::string& npn_protocols() const { return npn_protocols_; }
  bool npn_no_overlap() const { return npn_no_overlap_; }

  // --- OpenSSL's callbacks (never throw, never call the driver but PSK) ----
  int OnClientHello(SSL* ssl, int* alert) noexcept;
  SSL_SESSION* OnGetSession(const unsigned char* id, int len, int* copy) noexcept;
  int OnNewSession(SSL_SESSION* session) noexcept;
  void OnKeylog(const char* line) noexcept;
  int OnCertificate(SSL* ssl) noexcept;
  int OnAlpnSelect(const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                   unsigned int inlen) noexcept;
  int OnNpnAdvertise(const unsigned char** out, unsigned int* outlen) noexcept;
  int OnNpnSelect(unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen) noexcept;
  int OnStatus(SSL* ssl) noexcept;

 private:
  static void InfoCallback(const SSL* ssl, int where, int ret);
  static int CertificateCallback(SSL* ssl, void* arg);
  static unsigned int PskServerCallback(SSL* ssl, const char* identity, unsigned char* psk,
                                        unsigned int max_psk_len) noexcept;
  static unsigned int PskClientCallback(SSL* ssl, const char* hint, char* identity, unsigned int max_identity_len,
                                        unsigned char* psk, unsigned int max_psk_len) noexcept;

  void Fail(Cycle* cycle, int ssl_error);
  bool FlushPendingWrites(Cycle* cycle);
  bool WantsCertificatePause(SSL* ssl) const noexcept;
  // Server: keeps a session OpenSSL made in our own cache (tls_engine_callbacks.cc).
  void CacheServerSession(SSL_SESSION* session) noexcept;

  SslPtr ssl_;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  bool is_server_ = false;
  bool handshake_done_ = false;
  bool release_buffers_ = false;
  bool free_buffers_ = false;
  bool failed_ = false;
  // Set by InfoCallback while OpenSSL runs; folded into the next result.
  uint32_t callback_status_ = 0;
  // Cleartext OpenSSL could not take yet (before the handshake, during a renegotiation).
  std::string pending_write_;

  bool pause_on_client_hello_ = false;
  bool pause_on_certificate_ = false;
  bool report_sessions_ = false;
  bool report_keylog_ = false;

  // A handshake stopped for the driver: why, and whether it has answered.
  Pause paused_ = Pause::kNone;
  bool answered_ = false;
  std::string hello_servername_;
  std::string hello_session_id_;
  std::string hello_alpn_;     // the client's ALPN list, wire format
  bool hello_ticket_ = false;  // the ClientHello carries a TLS 1.2 session ticket
  // The context this SSL was made with: OpenSSL looks sessions up there even
  // after SNI switched contexts (the SSL holds a reference on it).
  SSL_CTX* session_ctx_ = nullptr;
  // The session the driver found for resumeSession, handed to OpenSSL's get callback.
  SslSessionPtr found_session_;

  PskHandler* psk_ = nullptr;
  std::string psk_hint_;  // set again if SNI switches the context
  // TLS 1.2 renegotiation: one is under way; ones the peer started since the last result.
  bool renegotiating_ = false;
  uint32_t peer_renegotiations_ = 0;
  // ALPN/NPN: our lists (wire format), and what the ALPNCallback answered.
  enum class AlpnAnswer { kNone, kChosen, kRefused };
  std::string alpn_protocols_;
  AlpnAnswer alpn_answer_ = AlpnAnswer::kNone;
  std::string alpn_chosen_;
  std::string npn_protocols_;
  bool npn_no_overlap_ = false;  // client: none of ours was advertised
  // OCSP: the server's response to staple; what a client received, reported once.
  bool ocsp_response_set_ = false;
  std::string ocsp_response_;
  bool ocsp_report_ = false;
  bool ocsp_received_stapled_ = false;
  std::string ocsp_received_;

  std::vector<std::pair<std::string, std::string>> new_sessions_;
  std::vector<std::string> keylog_;
};

// One handshake step on a libuv pool thread (offloadHandshake, both transports):
// the step, then this thread's OpenSSL state is left empty and freed (pool threads
// never exit; LeakSanitizer would report it). Counted in PoolHandshakeSteps().
void RunPoolHandshakeStep(TlsEngine* engine, Cycle* cycle);
// Handshake steps run on the pool so far, in this process (binding.poolHandshakeSteps()).
uint64_t PoolHandshakeSteps();

}  // namespace otls

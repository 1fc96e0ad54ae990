// TlsEngine: one SSL between two byte-queue BIOs, with no N-API and no libuv in
// it. Encrypted bytes go in, cleartext and encrypted bytes come out, and every
// call says in a Cycle why it stopped and what the connection learned meanwhile
// (its EngineOutputs). OpenSSL's callbacks (core/context_callbacks.cc, and the
// per-SSL ones here) find the engine through the SSL's app data and only
// record what happened; the driver reads it from the Cycle afterwards.
//
// Drivers: Connection (binding/connection.cc: the JS object of
// typings/native.d.ts, which turns a Cycle into a CycleResult), TcpLink
// (transport/tcp_link.cc: a socket on Node's loop), a handshake step on libuv's
// thread pool (core/engine_step.h, transport/pool_step.h), the fuzz targets
// (native/fuzz/) and the ThreadSanitizer harness (native/tsan/).
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ossl.h"
#include "core/read_buffer.h"
#include "core/record_sink.h"

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

// A session OpenSSL made (reportSessions).
struct NewSession {
  std::string id;
  std::string der;
};

// What a client received for its OCSP status request.
struct OcspReport {
  bool stapled = false;  // false: the server stapled nothing
  std::string response;
};

// What the connection learned since its driver last collected (rustls's
// ConnectionOutputs): recorded by OpenSSL's callbacks, handed over with each
// call's Cycle by TlsEngine::Collect, never kept for a second call.
struct EngineOutputs {
  std::vector<NewSession> sessions;  // reportSessions
  std::vector<std::string> keylog;   // reportKeylog: NSS key log lines, no newline
  uint32_t peer_renegotiations = 0;  // TLS 1.2 renegotiations the peer started
  std::optional<OcspReport> ocsp;    // a client's OCSP status, once

  bool empty() const { return sessions.empty() && keylog.empty() && peer_renegotiations == 0 && !ocsp; }
};

// What one call produced: the result of every driving call of TlsEngine.
struct Cycle {
  uint32_t status = 0;
  size_t cleartext = 0;  // bytes of ReadBuffer() in use, or of the records in `sunk`
  // Where each record's cleartext ends but the last's, when there is more than one
  // (node:tls hands JS each record as its own chunk; one record needs no list).
  std::vector<size_t> record_ends;
  // With a RecordSink: its handles of the records read, in order (ReadBuffer()
  // then holds none of them).
  std::vector<void*> sunk;
  // The failure, when status has kError: OpenSSL's first error (0 when it
  // queued none) and the message to use then. Taken off the error queue of the
  // thread that failed, so it survives a step on the thread pool.
  unsigned long error_code = 0;
  const char* error_fallback = nullptr;
  EngineOutputs outputs;  // filled by Collect
  // Server: TLS 1.3 early data (0-RTT) read during this call, before the
  // handshake finished. Copied (at most maxEarlyData bytes a connection).
  std::string early_data;
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
  uint32_t max_early_data = 0;       // server: TLS 1.3 early data accepted, bytes (0: none)
  std::string early_data;            // client: sent as early data with `session`, if it allows
};

// What a server's ClientHello said (the clientHello pause).
struct ClientHello {
  std::string servername;
  std::string session_id;
  std::string alpn;     // the client's ALPN list, wire format
  bool ticket = false;  // it carries a TLS 1.2 session ticket
};

// OpenSSL's PSK callbacks cannot pause: their answer comes from the driver at once.
class PskHandler {
 public:
  virtual unsigned int OnPskServer(const char* identity, unsigned char* psk, unsigned int max_psk_len) noexcept = 0;
  virtual unsigned int OnPskClient(const char* hint, char* identity, unsigned int max_identity_len, unsigned char* psk,
                                   unsigned int max_psk_len) noexcept = 0;

 protected:
  PskHandler() = default;
  PskHandler(const PskHandler&) = default;
  PskHandler& operator=(const PskHandler&) = default;
  PskHandler(PskHandler&&) = default;
  PskHandler& operator=(PskHandler&&) = default;
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
  bool is_server() const { return switches_.is_server; }
  bool handshake_done() const { return progress_.handshake_done; }
  // Server: the client's certificate fails verification where the client must have a
  // good one (requestCert with rejectUnauthorized): the driver refuses the client.
  bool RefusesPeer() const;
  bool failed() const { return progress_.failed; }

  // --- Driving (one call per chunk, write batch or answer) -----------------
  // Puts encrypted input into the input BIO; false once the connection failed.
  bool Feed(const unsigned char* data, size_t len, Cycle* cycle);
  // Feed, reading the bytes in place: the caller keeps them alive and unchanged
  // until KeepInput(), which copies what is left of them (a partial record).
  bool Lend(const unsigned char* data, size_t len, Cycle* cycle);
  bool KeepInput(Cycle* cycle);
  // Runs the state machine as far as it goes without more input: handshake,
  // queued writes, then reads into ReadBuffer(), or into `sink` record by record.
  void Advance(Cycle* cycle, RecordSink* sink = nullptr);
  // One SSL_do_handshake and what it says (all a thread-pool step does).
  void HandshakeStep(Cycle* cycle);
  // True when the next Advance would run a handshake step that may go to
  // another thread (server, not done, not waiting, no PSK callback).
  bool NeedsHandshakeStep() const;
  // Cleartext to send: small chunks gathered into full records, big ones
  // written straight; what OpenSSL cannot take yet is queued and retried.
  void Write(const Chunk* chunks, size_t count, Cycle* cycle);
  // Sends close_notify (after what is queued).
  void Shutdown(Cycle* cycle);
  // TLS 1.2 renegotiation: a server may change its client-certificate request.
  // Returns false (reason queued) when OpenSSL refuses.
  bool Renegotiate(bool set_request_cert, bool request_cert, bool reject_unauthorized, Cycle* cycle);
  // Hands over what callbacks recorded (status bits and EngineOutputs); call
  // once at the end of every call, before the Cycle is read.
  void Collect(Cycle* cycle);
  // A failure decided by the driver (a JS callback's error): nothing more goes
  // out, not even what OpenSSL queued for the peer.
  void FailSilently();

  // --- The encrypted output -------------------------------------------------
  size_t PendingOutput() const;
  size_t ReadOutput(unsigned char* out, size_t len);
  // The output in place (valid until the next engine call), and dropping all
  // of it once it has been sent or copied (no wipe, no copy).
  size_t PeekOutput(const char** data) const;
  void ClearOutput();
  // Frees the buffers of both byte queues if they are empty: a connection done
  // with its handshake keeps no flight's worth of memory while it idles.
  void ReleaseQueues();

  // --- A handshake waiting for its driver ----------------------------------
  Pause paused() const { return pause_.kind; }
  bool waiting() const { return pause_.kind != Pause::kNone && !pause_.answered; }
  // What the ClientHello said (the clientHello pause).
  const ClientHello& hello() const { return pause_.hello; }
  // The answer (any of these, then MarkAnswered; the next Advance goes on).
  bool SwitchContext(SSL_CTX* ctx);  // false: SSL_set_SSL_CTX failed (reason queued)
  void SetFoundSession(SslSessionPtr session) { sessions_.found = std::move(session); }
  void ChooseAlpn(std::string protocol);
  void RefuseAlpn();
  void SetOcspResponse(std::string response);
  void MarkAnswered() { pause_.answered = true; }

  // --- Settings after creation ---------------------------------------------
  void set_report_sessions(bool on) { switches_.report_sessions = on; }
  void set_report_keylog(bool on);
  void EnablePsk(PskHandler* handler);
  bool SetPskIdentityHint(const std::string& hint);  // false: refused (reason queued)
  // OpenSSL's protocol trace (SSL_trace) of every message, written to stderr
  // as it goes; false (reason queued) when it cannot be set up. A no-op when
  // OpenSSL was built without it (OPENSSL_NO_SSL_TRACE: the driver checks).
  bool EnableTrace();

  // --- Queries --------------------------------------------------------------
  // TLS 1.3 early data: the server accepted it (a client's, or this server's
  // read). False until the handshake says so, and whenever none was sent.
  bool early_data_accepted() const;
  // NPN, client: false when the server advertised none of our protocols (or we
  // offered none): npnProtocol is false then, as in node:tls.
  bool npn_matched() const { return !protocols_.npn.empty() && !protocols_.npn_no_overlap; }

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
  // The engine's state, grouped by concern.

  // How it was set up, and what the driver switched since.
  struct Switches {
    bool is_server = false;
    bool pause_on_client_hello = false;
    bool pause_on_certificate = false;
    bool report_sessions = false;
    bool report_keylog = false;
  };
  // Where the connection is, as the driving calls see it.
  struct Progress {
    bool handshake_done = false;
    bool failed = false;
    bool release_buffers = false;  // the context's SSL_MODE_RELEASE_BUFFERS, applied once the handshake is done
    std::string pending_write;     // cleartext OpenSSL could not take yet (handshake, renegotiation)
  };
  // A handshake stopped for the driver: why, whether it has answered, what it was told.
  struct PauseState {
    Pause kind = Pause::kNone;
    bool answered = false;
    ClientHello hello;
  };
  // Resumption on a server.
  struct SessionState {
    // The context the SSL was made with: OpenSSL looks sessions up there even
    // after SNI switched contexts (the SSL holds a reference on it).
    SSL_CTX* lookup_ctx = nullptr;
    SslSessionPtr found;  // resumeSession's answer, for OpenSSL's get-session callback
  };
  // ALPN and NPN: our lists (wire format), and what the ALPNCallback answered.
  enum class AlpnAnswer { kNone, kChosen, kRefused };
  struct ProtocolState {
    std::string alpn;
    AlpnAnswer alpn_answer = AlpnAnswer::kNone;
    std::string alpn_chosen;
    std::string npn;
    bool npn_no_overlap = false;  // client: none of ours was advertised
  };
  // A server's OCSP response to staple (OCSPRequest's answer).
  struct OcspStaple {
    bool set = false;
    std::string response;
  };
  // TLS 1.2 renegotiation.
  struct RenegotiationState {
    bool under_way = false;
  };
  // TLS 1.3 early data (0-RTT).
  struct EarlyDataState {
    bool reading = false;  // server: SSL_read_early_data until it reports the end
    std::string to_send;   // client: written with the ClientHello
  };
  // Pre-shared keys: the driver's callbacks, and the hint set again if SNI switches the context.
  struct PskState {
    PskHandler* handler = nullptr;
    std::string hint;
  };

  static void InfoCallback(const SSL* ssl, int where, int ret);
  static int CertificateCallback(SSL* ssl, void* arg);
  static unsigned int PskServerCallback(SSL* ssl, const char* identity, unsigned char* psk,
                                        unsigned int max_psk_len) noexcept;
  static unsigned int PskClientCallback(SSL* ssl, const char* hint, char* identity, unsigned int max_identity_len,
                                        unsigned char* psk, unsigned int max_psk_len) noexcept;

  void Fail(Cycle* cycle, int ssl_error);
  // Early data before the handshake proper: false while it waits (input, a
  // pause) or failed; true once there is none left to read or send.
  bool ReadEarlyData(Cycle* cycle);
  bool WriteEarlyData(Cycle* cycle);
  bool FlushPendingWrites(Cycle* cycle);
  // The cleartext the next record can hold, when it is application data, whole in
  // the input BIO, OpenSSL holds none of it and its cipher's overhead is known;
  // 0 otherwise. *partial: a record has begun to arrive and is not whole yet.
  size_t NextRecordCleartext(bool* partial) const;
  // One record read by the sink path (null: out of memory); false when the call failed.
  bool Sunk(Cycle* cycle, void* record, size_t n);
  // A record read in place in part (head_len bytes at head): the sink's copy of
  // it whole, its length in *len; null when out of memory.
  void* ReadRest(const unsigned char* head, size_t head_len, RecordSink* sink, size_t* len);
  // Fails the call with `message` (when it has none yet): memory ran out.
  void FailOutOfMemory(Cycle* cycle, const char* message);
  bool WantsCertificatePause(SSL* ssl) const noexcept;
  // Server: keeps a session OpenSSL made in our own cache (tls_engine_callbacks.cc).
  void CacheServerSession(SSL_SESSION* session) noexcept;

  BioPtr trace_;  // enableTrace: one message's trace on its way to stderr; outlives ssl_
  SslPtr ssl_;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  Switches switches_;
  Progress progress_;
  PauseState pause_;
  SessionState sessions_;
  ProtocolState protocols_;
  OcspStaple ocsp_;
  RenegotiationState renegotiation_;
  PskState psk_;
  EarlyDataState early_;
  // Status bits callbacks set while OpenSSL runs (InfoCallback), and their outputs.
  uint32_t callback_status_ = 0;
  EngineOutputs outputs_;
};

// One handshake step on a thread other than the driver's (a libuv pool
// thread): the step, then this thread's OpenSSL state is left empty and freed
// (pool threads never exit; LeakSanitizer would report it). Counted in
// PoolHandshakeSteps().
void RunPoolHandshakeStep(TlsEngine* engine, Cycle* cycle);
// Handshake steps run on the pool so far, in this process (binding.poolHandshakeSteps()).
uint64_t PoolHandshakeSteps();

}  // namespace otls

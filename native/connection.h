// Connection: one SSL between two memory BIOs. Encrypted bytes go in, cleartext
// and encrypted bytes come out, and each call says why it stopped (CycleResult in
// typings/native.d.ts). No JS runs while OpenSSL is on the stack: what OpenSSL's
// callbacks report is recorded here and returned with the call's result.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "ossl.h"

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

// Why a handshake is waiting for JS (CycleResult.pause.kind).
enum class Pause { kNone, kClientHello, kCertificate };

// How deeply JS callbacks run inside OpenSSL on this thread (PSK): a native
// call made meanwhile uses its own read buffer (connection_psk.cc).
size_t& JsCallbackDepth();

// Which optional features the system OpenSSL has (npn, sslTrace, ocsp): binding.features.
Napi::Object ExtensionFeatures(Napi::Env env);

class Connection : public Napi::ObjectWrap<Connection> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Connection(const Napi::CallbackInfo& info);

  // The Connection an SSL belongs to (null once destroyed).
  static Connection* From(const SSL* ssl);

  // Called from OpenSSL's callbacks (native/context_callbacks.cc and the
  // per-SSL ones here). They never call JS and never throw: they record what
  // happened for the current call's result, or stop the handshake for JS.
  int OnClientHello(SSL* ssl, int* alert) noexcept;
  SSL_SESSION* OnGetSession(const unsigned char* id, int len, int* copy) noexcept;
  int OnNewSession(SSL_SESSION* session) noexcept;
  void OnKeylog(const char* line) noexcept;
  int OnCertificate(SSL* ssl) noexcept;
  // ALPN and NPN (native/connection_alpn.cc), OCSP stapling (connection_ocsp.cc).
  int OnAlpnSelect(const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                   unsigned int inlen) noexcept;
  int OnNpnAdvertise(const unsigned char** out, unsigned int* outlen) noexcept;
  int OnNpnSelect(unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen) noexcept;
  int OnStatus(SSL* ssl) noexcept;

 private:
  // What one entry point has produced so far.
  struct Cycle {
    uint32_t status = 0;
    size_t cleartext = 0;  // bytes of the shared read buffer in use
    Napi::Value error;
  };

  // Entry points (one native call per chunk or write batch).
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Receive(const Napi::CallbackInfo& info);
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value Shutdown(const Napi::CallbackInfo& info);
  // Continue a paused handshake with JS's answer.
  Napi::Value Resume(const Napi::CallbackInfo& info);
  void Destroy(const Napi::CallbackInfo& info);

  // Queries.
  Napi::Value IsHandshakeDone(const Napi::CallbackInfo& info);
  Napi::Value VerifyError(const Napi::CallbackInfo& info);
  Napi::Value GetPeerCertificate(const Napi::CallbackInfo& info);
  Napi::Value GetCertificate(const Napi::CallbackInfo& info);
  Napi::Value GetPeerCertificateDer(const Napi::CallbackInfo& info);
  Napi::Value GetCertificateDer(const Napi::CallbackInfo& info);
  Napi::Value GetCipher(const Napi::CallbackInfo& info);
  Napi::Value GetProtocol(const Napi::CallbackInfo& info);
  Napi::Value GetEphemeralKeyInfo(const Napi::CallbackInfo& info);
  Napi::Value GetFinished(const Napi::CallbackInfo& info);
  Napi::Value GetPeerFinished(const Napi::CallbackInfo& info);
  Napi::Value ExportKeyingMaterial(const Napi::CallbackInfo& info);
  Napi::Value SetMaxSendFragment(const Napi::CallbackInfo& info);
  Napi::Value GetServername(const Napi::CallbackInfo& info);
  Napi::Value GetSession(const Napi::CallbackInfo& info);
  Napi::Value IsSessionReused(const Napi::CallbackInfo& info);
  // Sessions (native/connection_session.cc).
  Napi::Value GetTLSTicket(const Napi::CallbackInfo& info);
  void SetReportSessions(const Napi::CallbackInfo& info);
  // Server: keep a session OpenSSL made in our own cache (see connection_session.cc).
  void CacheServerSession(SSL_SESSION* session) noexcept;
  // PSK (native/connection_psk.cc): the one place JS runs inside OpenSSL.
  void SetupPsk(Napi::Env env, Napi::Object options);
  static unsigned int PskServerCallback(SSL* ssl, const char* identity, unsigned char* psk,
                                        unsigned int max_psk_len) noexcept;
  static unsigned int PskClientCallback(SSL* ssl, const char* hint, char* identity, unsigned int max_identity_len,
                                        unsigned char* psk, unsigned int max_psk_len) noexcept;
  unsigned int OnPskServer(const char* identity, unsigned char* psk, unsigned int max_psk_len) noexcept;
  unsigned int OnPskClient(const char* hint, char* identity, unsigned int max_identity_len, unsigned char* psk,
                           unsigned int max_psk_len) noexcept;
  Napi::Value CallPskCallback(Napi::Value arg);
  void RecordCallbackError(Napi::Value error) noexcept;
  // A pskCallback's key into OpenSSL's buffer: its length, or 0 (and the error recorded) when too long.
  unsigned int CopyPsk(Napi::Env env, Napi::Buffer<unsigned char> key, unsigned char* psk, unsigned int max_psk_len);
  // Fails this call's result with the recorded JS error, if any (from Finish).
  void ApplyCallbackError(Cycle* cycle);
  // Entry points throw while JS runs inside OpenSSL on this connection.
  void RejectReentry(Napi::Env env) const;
  // Frees the SSL (destroy(), or once OpenSSL returns after a deferred one).
  void ReleaseSsl() noexcept;
  // Renegotiation (native/connection_reneg.cc).
  Napi::Value Renegotiate(const Napi::CallbackInfo& info);
  // ALPN, NPN (native/connection_alpn.cc): options, the ALPNCallback's answer, results.
  void SetupProtocolNegotiation(Napi::Env env, Napi::Object options);
  void ApplyAlpnAnswer(Napi::Object answer);
  Napi::Value GetALPNProtocol(const Napi::CallbackInfo& info);
  Napi::Value GetNPNProtocol(const Napi::CallbackInfo& info);
  // OCSP stapling (native/connection_ocsp.cc).
  void SetupOcsp(Napi::Env env, Napi::Object options);
  bool WantsCertificatePause(SSL* ssl) const noexcept;
  void ApplyOcspAnswer(Napi::Object answer);
  void ReportOcsp(Napi::Env env, Napi::Object result);
  // Keylog switched on late, enableTrace, shared sigalgs (native/connection_trace.cc).
  void SetReportKeylog(const Napi::CallbackInfo& info);
  void EnableTrace(const Napi::CallbackInfo& info);
  Napi::Value GetSharedSigalgs(const Napi::CallbackInfo& info);
  // Handshake steps on the thread pool (native/connection_offload.cc).
  friend class HandshakeWorker;
  Napi::Value ReceiveAsync(const Napi::CallbackInfo& info);
  Napi::Value ResumeAsync(const Napi::CallbackInfo& info);
  bool NeedsHandshakeStep() const;
  // Puts one chunk from the transport into the input BIO; false once the connection failed.
  bool FeedInput(Napi::Env env, Napi::Value data, Cycle* cycle);
  Napi::Value QueueHandshakeStep(Napi::Env env, Napi::Value callback);
  // resume()'s answer applied to the paused handshake (context, session, ALPN, OCSP).
  void ApplyResumeAnswer(Napi::Env env, Napi::Value answer);

  SSL* Require(Napi::Env env) const;

  // Runs the state machine as far as it goes without more input: handshake,
  // queued writes, then reads into the shared buffer.
  void Advance(Napi::Env env, Cycle* cycle);
  bool FlushPendingWrites(Napi::Env env, Cycle* cycle);
  void Fail(Napi::Env env, Cycle* cycle, int ssl_error);
  // The JS result of this call; drains the output BIO.
  Napi::Value Finish(Napi::Env env, Cycle* cycle);

  static void InfoCallback(const SSL* ssl, int where, int ret);
  static int CertificateCallback(SSL* ssl, void* arg);
  Napi::Value PauseObject(Napi::Env env);

  BioPtr trace_bio_;  // enableTrace: the trace of one message on its way to stderr; outlives ssl_
  SslPtr ssl_;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  bool is_server_ = false;
  bool handshake_done_ = false;
  bool failed_ = false;
  // Set by InfoCallback while OpenSSL runs; folded into the next result.
  uint32_t callback_status_ = 0;
  // Cleartext OpenSSL could not take yet (during a renegotiation).
  std::string pending_write_;

  // What JS asked to be told about (fixed when the connection is made, so a
  // listener added later affects only later connections, as in node:tls).
  bool pause_on_client_hello_ = false;
  bool pause_on_certificate_ = false;
  bool report_sessions_ = false;
  bool report_keylog_ = false;

  // A handshake stopped for JS: why, and whether JS has answered.
  Pause paused_ = Pause::kNone;
  bool answered_ = false;
  std::string hello_servername_;
  std::string hello_session_id_;
  std::string hello_alpn_;  // the client's ALPN list, wire format
  bool hello_ticket_ = false;  // the ClientHello carries a TLS 1.2 session ticket
  // The context this SSL was made with: OpenSSL looks sessions up there even
  // after SNI switched contexts (the SSL holds a reference on it).
  SSL_CTX* session_ctx_ = nullptr;
  // The session JS found for resumeSession, handed to OpenSSL's get callback.
  SslSessionPtr found_session_;

  // PSK: JS is running inside an OpenSSL callback; destroy() came meanwhile;
  // the error a JS callback threw (or its bad answer), for this call's result.
  bool in_js_callback_ = false;
  bool destroy_deferred_ = false;
  // A handshake step runs on the thread pool: nothing else may touch ssl_.
  bool in_flight_ = false;
  std::string psk_hint_;  // set again if SNI switches the context
  Napi::Reference<Napi::Value> callback_error_;
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
  // OCSP: the server's response to staple (from JS); what a client received,
  // reported once with the next result.
  bool ocsp_response_set_ = false;
  std::string ocsp_response_;
  bool ocsp_report_ = false;
  bool ocsp_received_stapled_ = false;
  std::string ocsp_received_;

  // Reported with the next result.
  std::vector<std::pair<std::string, std::string>> new_sessions_;  // id, DER
  std::vector<std::string> keylog_;
};

}  // namespace otls

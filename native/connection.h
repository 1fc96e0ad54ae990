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
  // The session JS found for resumeSession, handed to OpenSSL's get callback.
  SslSessionPtr found_session_;

  // Reported with the next result.
  std::vector<std::pair<std::string, std::string>> new_sessions_;  // id, DER
  std::vector<std::string> keylog_;
};

}  // namespace otls

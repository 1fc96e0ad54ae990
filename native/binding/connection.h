// Connection: the JS object of typings/native.d.ts over one TlsEngine
// (core/tls_engine.h). Each entry point takes one chunk, write batch or answer
// from JS, drives the engine, and returns what came out as a CycleResult. No JS
// runs while OpenSSL is on the stack, except a pskCallback (connection_psk.cc).
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "binding/cleartext.h"
#include "core/engine_step.h"
#include "core/ossl.h"
#include "core/tls_engine.h"
#include "transport/pool_step.h"
#include "transport/tcp_link.h"

namespace otls {

// Which optional features the system OpenSSL has (npn, sslTrace, ocsp): binding.features.
Napi::Object ExtensionFeatures(Napi::Env env);
// binding.socketPair(): a Unix socketpair's two descriptors, close-on-exec (a relay's, connection_link.cc).
Napi::Value SocketPairJs(const Napi::CallbackInfo& info);

class Connection : public Napi::ObjectWrap<Connection>,
                   private PskHandler,
                   private LinkOwner,
                   private EngineStep::Owner {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Connection(const Napi::CallbackInfo& info);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  Connection(Connection&&) = delete;
  Connection& operator=(Connection&&) = delete;

  // The native transport (native/binding/connection_link.cc): a JS Connection over a
  // link whose handshake ran with no JS, made when JS must first hear of it;
  // `cycle` is what it must hear, as a CycleResult.
  static Napi::Object Adopt(Napi::Env env, TcpLink* link);
  Napi::Value LinkResult(Napi::Env env, Cycle* cycle, uint32_t link_status, int uv_error, const char* syscall);
  // A link result object with the link's own status bits (and its failed read or write's error).
  Napi::Value AddLinkStatus(Napi::Env env, Napi::Value result, const Cycle& cycle, uint32_t link_status, int uv_error,
                            const char* syscall);

  // An engine's settings from the options object of `new Connection()` (also the
  // native listener's: the same names); protocol lists checked.
  static EngineOptions ReadEngineOptions(Napi::Env env, Napi::Object options);

 private:
  // What an entry point needs of the connection. Every JS method is Entry over
  // its body: Entry checks what the body needs (and clears the error queue on
  // return when the body reaches OpenSSL), so the bodies start with the work.
  // While a handshake step on the pool has the engine, every entry point but
  // destroy() throws ERR_INVALID_STATE.
  enum class Needs {
    kDrive,     // runs OpenSSL: an engine, and no pskCallback of this connection running
    kEngine,    // reads or sets up the engine: an engine (ERR_SOCKET_CLOSED without)
    kSetting,   // decides what later calls report: nothing (a no-op once destroyed)
    kOwnState,  // the Connection's own state or its socket: nothing
    kAnyTime,   // destroy(): even while a step is in flight
  };
  template <auto Member, Needs kNeeds>
  Napi::Value Entry(const Napi::CallbackInfo& info);

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
  Napi::Value IsEarlyDataAccepted(const Napi::CallbackInfo& info);
  // Identity set or read later (native/binding/connection_identity.cc).
  void SetServername(const Napi::CallbackInfo& info);
  void SetSession(const Napi::CallbackInfo& info);
  void SetKeyCert(const Napi::CallbackInfo& info);
  Napi::Value GetPeerCertificateChainDer(const Napi::CallbackInfo& info);
  // Sessions (native/binding/connection_session.cc).
  Napi::Value GetTLSTicket(const Napi::CallbackInfo& info);
  void SetReportSessions(const Napi::CallbackInfo& info);
  // PSK (native/binding/connection_psk.cc): the one place JS runs inside OpenSSL.
  void SetupPsk(Napi::Env env, Napi::Object options);
  unsigned int OnPskServer(const char* identity, unsigned char* psk, unsigned int max_psk_len) noexcept override;
  unsigned int OnPskClient(const char* hint, char* identity, unsigned int max_identity_len, unsigned char* psk,
                           unsigned int max_psk_len) noexcept override;
  Napi::Value CallPskCallback(Napi::Value arg);
  void RecordCallbackError(Napi::Value error) noexcept;
  // A pskCallback's key into OpenSSL's buffer: its length, or 0 (and the error recorded) when too long.
  unsigned int CopyPsk(Napi::Env env, Napi::Buffer<unsigned char> key, unsigned char* psk, unsigned int max_psk_len);
  // The recorded JS error, if any, as this call's failure (from Finish).
  Napi::Value TakeCallbackError();
  // Frees the engine (destroy(), or once OpenSSL returns after a deferred one).
  void ReleaseSsl() noexcept;
  // Renegotiation (native/binding/connection_reneg.cc).
  Napi::Value Renegotiate(const Napi::CallbackInfo& info);
  // ALPN, NPN (native/binding/connection_alpn.cc): options, the ALPNCallback's answer, results.
  static void ReadProtocolOptions(Napi::Env env, Napi::Object options, EngineOptions* out);
  void ApplyAlpnAnswer(Napi::Object answer);
  Napi::Value GetALPNProtocol(const Napi::CallbackInfo& info);
  Napi::Value GetNPNProtocol(const Napi::CallbackInfo& info);
  // OCSP stapling (native/binding/connection_ocsp.cc).
  void ApplyOcspAnswer(Napi::Object answer);
  static void ReportOcsp(Napi::Env env, const OcspReport& report, Napi::Object result);
  // Keylog switched on late, enableTrace, shared sigalgs (native/binding/connection_trace.cc).
  void SetReportKeylog(const Napi::CallbackInfo& info);
  void EnableTrace(const Napi::CallbackInfo& info);
  Napi::Value GetSharedSigalgs(const Napi::CallbackInfo& info);
  // Handshake steps on the thread pool (native/binding/connection_offload.cc).
  Napi::Value ReceiveAsync(const Napi::CallbackInfo& info);
  Napi::Value ResumeAsync(const Napi::CallbackInfo& info);
  // The step is back with the engine (EngineStep::Owner): its result to JS.
  void OnStepDone(std::unique_ptr<TlsEngine> engine, Cycle* cycle) noexcept override;
  // What a step in flight holds (its callback, async context, the self-reference) let go.
  void EndStep() noexcept;
  // Puts one chunk from the transport into the engine; false once the connection failed.
  bool FeedInput(Napi::Env env, Napi::Value data, Cycle* cycle);
  // True when the next handshake step goes to the pool (JS transport, server, not done).
  bool OffloadsNextStep() const;
  Napi::Value QueueHandshakeStep(Napi::Env env, Napi::Value callback);
  // resume()'s answer applied to the paused handshake (context, session, ALPN, OCSP).
  void ApplyResumeAnswer(Napi::Env env, Napi::Value answer);

  // The engine: the link's on the native transport, this connection's own on
  // the JS transport; null once destroyed, and while a pool step has it.
  TlsEngine* engine() const { return link_ != nullptr ? link_->engine() : engine_.get(); }

  // The native transport (native/binding/connection_link.cc).
  void OnLinkCycle(TcpLink* link, Cycle* cycle, uint32_t link_status, int uv_error,
                   const char* syscall) noexcept override;
  RecordSink* InputSink() noexcept override { return input_sink_.Open(Env()); }
  TcpLink* RequireLink(Napi::Env env) const;
  // A client: the connected socket (a descriptor node opened) becomes this connection's link.
  void AttachSocket(const Napi::CallbackInfo& info);
  void ReadStart(const Napi::CallbackInfo& info);
  void ReadStop(const Napi::CallbackInfo& info);
  // relay(...chunks): the link's cleartext over a socketpair; the other end's descriptor.
  Napi::Value Relay(const Napi::CallbackInfo& info);
  void HoldOutput(const Napi::CallbackInfo& info);
  void ReleaseOutput(const Napi::CallbackInfo& info);
  void FlushOutput(const Napi::CallbackInfo& info);
  Napi::Value LinkAddress(const Napi::CallbackInfo& info);
  Napi::Value SetNoDelay(const Napi::CallbackInfo& info);
  Napi::Value SetKeepAlive(const Napi::CallbackInfo& info);
  void LinkRef(const Napi::CallbackInfo& info);
  void LinkUnref(const Napi::CallbackInfo& info);
  Napi::Value LinkBytes(const Napi::CallbackInfo& info);
  Napi::Value LinkStartedAt(const Napi::CallbackInfo& info);
  // After an entry point: the engine's output to the link (JS transport: into the result).
  void FlushToLink(Cycle* cycle);

  // The JS result of this call; drains the engine's output.
  Napi::Value Finish(Napi::Env env, Cycle* cycle);
  // Finish in two parts: the cycle settled (error, engine outputs, the link's
  // flush; returns the error, if any), then its result object.
  Napi::Value Settle(Napi::Env env, Cycle* cycle);
  Napi::Value ResultObject(Napi::Env env, Cycle* cycle, Napi::Value error);
  // On the link, a settled result that is only a status and perhaps cleartext (as
  // a keep-alive request's read and write are): true, with the cleartext (or
  // undefined), and no object is built; false when it carries more.
  bool BareResult(Napi::Env env, const Cycle& cycle, const Napi::Value& error, Napi::Value* cleartext);
  // write()'s result: on the link, only its status is a number.
  Napi::Value WriteResult(Napi::Env env, Cycle* cycle);
  Napi::Value PauseObject(Napi::Env env);

  // The engine on the JS transport (on the native one the link owns it); null
  // while a handshake step on the pool has it (step_).
  std::unique_ptr<TlsEngine> engine_;
  PoolStep step_;
  Napi::FunctionReference step_callback_;
  std::unique_ptr<Napi::AsyncContext> step_context_;
  // The native transport, if this connection has one (owned by libuv: Close() frees it).
  TcpLink* link_ = nullptr;
  // Where the link's reads decrypt records: straight into JS Buffers.
  JsRecordSink input_sink_;
  // Output waiting for JS to see its result first (TcpLink::JsFirst).
  bool js_hold_ = false;
  // What survives destroy(): isHandshakeDone() and the report switches still answer.
  bool handshake_done_ = false;

  // PSK: JS is running inside an OpenSSL callback; destroy() came meanwhile;
  // the error a JS callback threw (or its bad answer), for this call's result.
  bool in_js_callback_ = false;
  bool destroy_deferred_ = false;
  Napi::Reference<Napi::Value> callback_error_;
};

}  // namespace otls

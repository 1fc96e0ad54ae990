#include "binding/connection.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstring>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "binding/addon_data.h"
#include "binding/cleartext.h"
#include "binding/errors.h"
#include "binding/js_array.h"
#include "binding/secure_context.h"
#include "binding/x509.h"
#include "core/narrow.h"

namespace otls {

template <auto Member, Connection::Needs kNeeds>
Napi::Value Connection::Entry(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  // The error queue is cleared on return by every entry that reaches OpenSSL:
  // not the ones that touch only this object or its socket, nor destroy(),
  // which clears it itself (not while OpenSSL is below a pskCallback).
  std::optional<ClearErrorOnReturn> clear;
  if constexpr (kNeeds == Needs::kDrive || kNeeds == Needs::kEngine || kNeeds == Needs::kSetting) clear.emplace();
  if constexpr (kNeeds != Needs::kAnyTime) {
    // A handshake step on the pool has the engine: nothing may touch it (nor
    // change what the step reads) until it is back.
    if (step_.in_flight()) throw CodedError(env, "ERR_INVALID_STATE", "A handshake step of this connection is running");
  }
  if constexpr (kNeeds == Needs::kDrive || kNeeds == Needs::kEngine) {
    if (engine() == nullptr) throw CodedError(env, "ERR_SOCKET_CLOSED", "Socket is closed");
  }
  if constexpr (kNeeds == Needs::kDrive) {
    // OpenSSL is on the stack below a pskCallback of this connection.
    if (in_js_callback_) {
      throw CodedError(env, "ERR_INVALID_STATE", "The TLS connection cannot be driven from inside its pskCallback");
    }
  }
  if constexpr (std::is_void_v<decltype((this->*Member)(info))>) {
    (this->*Member)(info);
    return env.Undefined();
  } else {
    return (this->*Member)(info);
  }
}

Napi::Function Connection::Init(Napi::Env env) {
  Napi::Function ctor = DefineClass(
      env, "Connection",
      {
          InstanceMethod<&Connection::Entry<&Connection::Start, Needs::kDrive>>("start"),
          InstanceMethod<&Connection::Entry<&Connection::Receive, Needs::kDrive>>("receive"),
          InstanceMethod<&Connection::Entry<&Connection::Write, Needs::kDrive>>("write"),
          InstanceMethod<&Connection::Entry<&Connection::Shutdown, Needs::kDrive>>("shutdown"),
          InstanceMethod<&Connection::Entry<&Connection::Resume, Needs::kDrive>>("resume"),
          InstanceMethod<&Connection::Entry<&Connection::ReceiveAsync, Needs::kDrive>>("receiveAsync"),
          InstanceMethod<&Connection::Entry<&Connection::ResumeAsync, Needs::kDrive>>("resumeAsync"),
          InstanceMethod<&Connection::Entry<&Connection::Destroy, Needs::kAnyTime>>("destroy"),
          InstanceMethod<&Connection::Entry<&Connection::IsHandshakeDone, Needs::kOwnState>>("isHandshakeDone"),
          InstanceMethod<&Connection::Entry<&Connection::VerifyError, Needs::kEngine>>("verifyError"),
          InstanceMethod<&Connection::Entry<&Connection::GetPeerCertificate, Needs::kEngine>>("getPeerCertificate"),
          InstanceMethod<&Connection::Entry<&Connection::GetCertificate, Needs::kEngine>>("getCertificate"),
          InstanceMethod<&Connection::Entry<&Connection::GetPeerCertificateDer, Needs::kEngine>>(
              "getPeerCertificateDer"),
          InstanceMethod<&Connection::Entry<&Connection::GetCertificateDer, Needs::kEngine>>("getCertificateDer"),
          InstanceMethod<&Connection::Entry<&Connection::GetCipher, Needs::kEngine>>("getCipher"),
          InstanceMethod<&Connection::Entry<&Connection::GetProtocol, Needs::kEngine>>("getProtocol"),
          InstanceMethod<&Connection::Entry<&Connection::GetEphemeralKeyInfo, Needs::kEngine>>("getEphemeralKeyInfo"),
          InstanceMethod<&Connection::Entry<&Connection::GetFinished, Needs::kEngine>>("getFinished"),
          InstanceMethod<&Connection::Entry<&Connection::GetPeerFinished, Needs::kEngine>>("getPeerFinished"),
          InstanceMethod<&Connection::Entry<&Connection::ExportKeyingMaterial, Needs::kEngine>>("exportKeyingMaterial"),
          InstanceMethod<&Connection::Entry<&Connection::SetMaxSendFragment, Needs::kEngine>>("setMaxSendFragment"),
          InstanceMethod<&Connection::Entry<&Connection::GetServername, Needs::kEngine>>("getServername"),
          InstanceMethod<&Connection::Entry<&Connection::SetServername, Needs::kEngine>>("setServername"),
          InstanceMethod<&Connection::Entry<&Connection::SetSession, Needs::kEngine>>("setSession"),
          InstanceMethod<&Connection::Entry<&Connection::SetKeyCert, Needs::kEngine>>("setKeyCert"),
          InstanceMethod<&Connection::Entry<&Connection::GetPeerCertificateChainDer, Needs::kEngine>>(
              "getPeerCertificateChainDer"),
          InstanceMethod<&Connection::Entry<&Connection::GetSession, Needs::kEngine>>("getSession"),
          InstanceMethod<&Connection::Entry<&Connection::IsSessionReused, Needs::kEngine>>("isSessionReused"),
          InstanceMethod<&Connection::Entry<&Connection::IsEarlyDataAccepted, Needs::kEngine>>("isEarlyDataAccepted"),
          InstanceMethod<&Connection::Entry<&Connection::Renegotiate, Needs::kDrive>>("renegotiate"),
          InstanceMethod<&Connection::Entry<&Connection::GetTLSTicket, Needs::kEngine>>("getTLSTicket"),
          InstanceMethod<&Connection::Entry<&Connection::SetReportSessions, Needs::kSetting>>("setReportSessions"),
          InstanceMethod<&Connection::Entry<&Connection::GetALPNProtocol, Needs::kEngine>>("getALPNProtocol"),
          InstanceMethod<&Connection::Entry<&Connection::GetNPNProtocol, Needs::kEngine>>("getNPNProtocol"),
          InstanceMethod<&Connection::Entry<&Connection::SetReportKeylog, Needs::kSetting>>("setReportKeylog"),
          InstanceMethod<&Connection::Entry<&Connection::EnableTrace, Needs::kEngine>>("enableTrace"),
          InstanceMethod<&Connection::Entry<&Connection::GetSharedSigalgs, Needs::kEngine>>("getSharedSigalgs"),
          InstanceMethod<&Connection::Entry<&Connection::AttachSocket, Needs::kEngine>>("attachSocket"),
          InstanceMethod<&Connection::Entry<&Connection::ReadStart, Needs::kOwnState>>("readStart"),
          InstanceMethod<&Connection::Entry<&Connection::ReadStop, Needs::kOwnState>>("readStop"),
          InstanceMethod<&Connection::Entry<&Connection::Relay, Needs::kOwnState>>("relay"),
          InstanceMethod<&Connection::Entry<&Connection::HoldOutput, Needs::kOwnState>>("holdOutput"),
          InstanceMethod<&Connection::Entry<&Connection::ReleaseOutput, Needs::kOwnState>>("releaseOutput"),
          InstanceMethod<&Connection::Entry<&Connection::FlushOutput, Needs::kOwnState>>("flushOutput"),
          InstanceMethod<&Connection::Entry<&Connection::LinkAddress, Needs::kOwnState>>("address"),
          InstanceMethod<&Connection::Entry<&Connection::SetNoDelay, Needs::kOwnState>>("setNoDelay"),
          InstanceMethod<&Connection::Entry<&Connection::SetKeepAlive, Needs::kOwnState>>("setKeepAlive"),
          InstanceMethod<&Connection::Entry<&Connection::LinkRef, Needs::kOwnState>>("ref"),
          InstanceMethod<&Connection::Entry<&Connection::LinkUnref, Needs::kOwnState>>("unref"),
          InstanceMethod<&Connection::Entry<&Connection::LinkBytes, Needs::kOwnState>>("bytes"),
          InstanceMethod<&Connection::Entry<&Connection::LinkStartedAt, Needs::kOwnState>>("startedAt"),
      });
  GetAddonData(env).connection = Napi::Persistent(ctor);
  return ctor;
}

Connection::Connection(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Connection>(info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  AddonData& data = GetAddonData(env);
  if (data.adopting != nullptr && !data.adopt_token.IsEmpty() && info[0].StrictEquals(data.adopt_token.Value())) {
    // Adopt(): a native link and the engine whose handshake it ran.
    link_ = std::exchange(data.adopting, nullptr);
    link_->Adopt(this);
    handshake_done_ = link_->engine() != nullptr && link_->engine()->handshake_done();
    // An open socket keeps its JS objects alive (as a raw socket's handle does):
    // nothing else may hold an idle connection's TLSSocket.
    Ref();
    return;
  }
  SecureContext* sc = SecureContext::FromValue(env, info[0]);
  if (sc->ctx() == nullptr) throw CodedError(env, "ERR_INVALID_STATE", "The SecureContext has been closed");
  if (!info[1].IsObject()) throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "options must be an object");
  Napi::Object options = info[1].As<Napi::Object>();
  EngineOptions opts = ReadEngineOptions(env, options);

  engine_ = std::make_unique<TlsEngine>();
  if (const char* failure = engine()->Init(sc->ctx(), opts)) {
    engine_.reset();
    ThrowFromQueue(env, failure);
  }
  SetupPsk(env, options);
}

EngineOptions Connection::ReadEngineOptions(Napi::Env env, Napi::Object options) {
  EngineOptions opts;
  opts.is_server = options.Get("isServer").ToBoolean();
  opts.pause_on_client_hello = options.Get("pauseOnClientHello").ToBoolean();
  opts.pause_on_certificate = options.Get("pauseOnCertificate").ToBoolean();
  opts.report_sessions = options.Get("reportSessions").ToBoolean();
  opts.report_keylog = options.Get("reportKeylog").ToBoolean();
  opts.request_cert = options.Get("requestCert").ToBoolean();
  opts.reject_unauthorized = options.Get("rejectUnauthorized").ToBoolean();
  opts.request_ocsp = options.Get("requestOCSP").ToBoolean();
  Napi::Value max_early = options.Get("maxEarlyData");
  if (max_early.IsNumber()) opts.max_early_data = max_early.As<Napi::Number>().Uint32Value();
  if (!opts.is_server) {
    Napi::Value servername = options.Get("servername");
    if (servername.IsString()) opts.servername = servername.As<Napi::String>();
    Napi::Value session = options.Get("session");
    if (session.IsBuffer()) {
      auto buf = session.As<Napi::Buffer<char>>();
      opts.session.assign(buf.Data(), buf.Length());
    }
    Napi::Value early = options.Get("earlyData");
    if (early.IsBuffer()) {
      auto buf = early.As<Napi::Buffer<char>>();
      opts.early_data.assign(buf.Data(), buf.Length());
    }
  }
  ReadProtocolOptions(env, options, &opts);
  return opts;
}

Napi::Value Connection::Finish(Napi::Env env, Cycle* cycle) { return ResultObject(env, cycle, Settle(env, cycle)); }

Napi::Value Connection::Settle(Napi::Env env, Cycle* cycle) {
  TlsEngine* engine = this->engine();
  // A JS callback's error is the story, not OpenSSL's view of it.
  Napi::Value error = TakeCallbackError();
  if (!error.IsEmpty()) {
    cycle->status |= kError;
    if (engine != nullptr) engine->FailSilently();
  } else if ((cycle->status & kError) != 0) {
    error = SocketErrorFromCode(env, cycle->error_code,
                                cycle->error_fallback != nullptr ? cycle->error_fallback : "TLS failure")
                .Value();
  }
  if (engine != nullptr) {
    engine->Collect(cycle);
    handshake_done_ = engine->handshake_done();
  }
  if (link_ != nullptr) FlushToLink(cycle);
  return error;
}

Napi::Value Connection::ResultObject(Napi::Env env, Cycle* cycle, Napi::Value error) {
  TlsEngine* engine = this->engine();
  Napi::Object result = Napi::Object::New(env);
  result.Set("status", Napi::Number::New(env, cycle->status));
  SetCleartext(env, *cycle, result);
  const size_t encrypted = engine != nullptr && link_ == nullptr ? engine->PendingOutput() : 0;
  if (encrypted > 0) {
    // Read out (one copy): BIO_reset would also wipe the whole buffer every call.
    auto buf = Napi::Buffer<unsigned char>::New(env, encrypted);
    size_t n = engine->ReadOutput(buf.Data(), encrypted);
    if (n == encrypted) {
      result.Set("encrypted", buf);
    } else if (n > 0) {
      result.Set("encrypted", Napi::Buffer<unsigned char>::Copy(env, buf.Data(), n));
    }
  }
  if (!cycle->early_data.empty()) {
    result.Set("earlyData", Napi::Buffer<char>::Copy(env, cycle->early_data.data(), cycle->early_data.size()));
  }
  if (!error.IsEmpty()) result.Set("error", error);
  if (engine == nullptr) return result;
  if ((cycle->status & kPaused) != 0) result.Set("pause", PauseObject(env));
  const EngineOutputs& outputs = cycle->outputs;
  if (!outputs.sessions.empty()) {
    result.Set("sessions", ToJsArray(env, outputs.sessions, [env](const NewSession& session) {
                 Napi::Object o = Napi::Object::New(env);
                 o.Set("id", Napi::Buffer<char>::Copy(env, session.id.data(), session.id.size()));
                 o.Set("data", Napi::Buffer<char>::Copy(env, session.der.data(), session.der.size()));
                 return o;
               }));
  }
  if (outputs.ocsp) ReportOcsp(env, *outputs.ocsp, result);
  if (!outputs.keylog.empty()) {
    result.Set("keylog", ToJsArray(env, outputs.keylog, [env](const std::string& line) {
                 std::string with_newline = line + "\n";
                 return Napi::Buffer<char>::Copy(env, with_newline.data(), with_newline.size());
               }));
  }
  if (outputs.peer_renegotiations > 0) {
    result.Set("peerRenegotiations", Napi::Number::New(env, outputs.peer_renegotiations));
  }
  // destroy() was called from a JS callback inside OpenSSL: OpenSSL is done now.
  if (destroy_deferred_ && !in_js_callback_) ReleaseSsl();
  return result;
}

Napi::Value Connection::PauseObject(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  const TlsEngine& e = *engine();
  if (e.paused() == Pause::kClientHello) {
    const ClientHello& hello = e.hello();
    o.Set("kind", "clientHello");
    o.Set("servername", hello.servername);
    o.Set("sessionId", Napi::Buffer<char>::Copy(env, hello.session_id.data(), hello.session_id.size()));
    o.Set("tlsTicket", hello.ticket);
    o.Set("alpn", Napi::Buffer<char>::Copy(env, hello.alpn.data(), hello.alpn.size()));
  } else if (e.paused() == Pause::kCertificate) {
    o.Set("kind", "certificate");
    SSL* ssl = e.ssl();
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
      X509StoreCtxPtr sctx(X509_STORE_CTX_new());
      if (sctx && X509_STORE_CTX_init(sctx.get(), store, cert, nullptr) == 1) {
        X509* found = nullptr;
        if (X509_STORE_CTX_get1_issuer(&found, sctx.get(), cert) == 1 && found != nullptr) {
          X509Ptr owned(found);
          issuer = CertificateDer(env, owned.get());
        }
      }
    }
    o.Set("issuer", issuer);
  }
  return o;
}

Napi::Value Connection::Resume(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ApplyResumeAnswer(env, info[0]);
  Cycle cycle;
  engine()->Advance(&cycle);
  return Finish(env, &cycle);
}

void Connection::ApplyResumeAnswer(Napi::Env env, Napi::Value answer_value) {
  TlsEngine& engine = *this->engine();
  if (!engine.waiting()) throw CodedError(env, "ERR_INVALID_STATE", "The handshake is not waiting for an answer");
  Napi::Object answer = answer_value.IsObject() ? answer_value.As<Napi::Object>() : Napi::Object::New(env);
  if (engine.paused() == Pause::kClientHello) {
    Napi::Value context = answer.Get("context");
    if (!context.IsUndefined() && !context.IsNull()) {
      SSL_CTX* ctx = SecureContext::FromValue(env, context)->ctx();
      if (ctx == nullptr) throw CodedError(env, "ERR_INVALID_STATE", "The SecureContext has been closed");
      if (!engine.SwitchContext(ctx)) ThrowFromQueue(env, "SSL_set_SSL_CTX failed");
    }
    Napi::Value session = answer.Get("session");
    if (session.IsBuffer()) {
      auto buf = session.As<Napi::Buffer<unsigned char>>();
      const unsigned char* p = buf.Data();
      // Unparsable data means a full handshake, as a missing session does.
      engine.SetFoundSession(SslSessionPtr(d2i_SSL_SESSION(nullptr, &p, SaturatedCast<long>(buf.Length()))));
    }
    ApplyAlpnAnswer(answer);
  } else if (engine.paused() == Pause::kCertificate) {
    ApplyOcspAnswer(answer);
  }
  engine.MarkAnswered();
}

Napi::Value Connection::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Cycle cycle;
  engine()->Advance(&cycle);
  return Finish(env, &cycle);
}

bool Connection::FeedInput(Napi::Env env, Napi::Value value, Cycle* cycle) {
  if (!value.IsBuffer()) throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "data must be a Buffer");
  auto data = value.As<Napi::Buffer<unsigned char>>();
  return engine()->Feed(data.Data(), data.Length(), cycle);
}

Napi::Value Connection::Receive(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Cycle cycle;
  if (FeedInput(env, info[0], &cycle)) engine()->Advance(&cycle);
  return Finish(env, &cycle);
}

Napi::Value Connection::Shutdown(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Cycle cycle;
  engine()->Shutdown(&cycle);
  Napi::Value result = Finish(env, &cycle);
  // The native transport sends FIN after close_notify (kShutdownDone follows).
  if (link_ != nullptr) link_->Shutdown();
  return result;
}

void Connection::Destroy(const Napi::CallbackInfo& /*info*/) {
  // A handshake step on the thread pool has the engine: the step frees it once
  // it is back, and its result is never told.
  if (step_.in_flight()) {
    step_.Abandon();
    EndStep();
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

Connection::~Connection() {
  if (link_ != nullptr) link_->Close();
}

void Connection::ReleaseSsl() noexcept {
  destroy_deferred_ = false;
  if (TlsEngine* e = engine()) handshake_done_ = e->handshake_done();
  if (link_ != nullptr) {
    // The link owns the engine: closing it frees the SSL.
    link_->Close();
    link_ = nullptr;
    try {
      Unref();  // the self-reference taken in Adopt
    } catch (...) {
    }
  }
  engine_.reset();
  try {
    callback_error_.Reset();
  } catch (...) {
  }
}

Napi::Value Connection::IsHandshakeDone(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), handshake_done_);
}

Napi::Value Connection::VerifyError(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SSL* ssl = engine()->ssl();
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
  return PeerCertificateObject(env, engine()->ssl(), info[0].ToBoolean());
}

Napi::Value Connection::GetCertificate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  X509* cert = SSL_get_certificate(engine()->ssl());
  if (cert == nullptr) return env.Null();
  return CertificateToObject(env, cert);
}

Napi::Value Connection::GetPeerCertificateDer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return CertificateDer(env, SSL_get0_peer_certificate(engine()->ssl()));
}

Napi::Value Connection::GetCertificateDer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return CertificateDer(env, SSL_get_certificate(engine()->ssl()));
}

Napi::Value Connection::GetCipher(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const SSL_CIPHER* c = SSL_get_current_cipher(engine()->ssl());
  if (c == nullptr) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", SSL_CIPHER_get_name(c));
  o.Set("standardName", SSL_CIPHER_standard_name(c));
  o.Set("version", SSL_CIPHER_get_version(c));
  return o;
}

Napi::Value Connection::GetProtocol(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Napi::String::New(env, SSL_get_version(engine()->ssl()));
}

Napi::Value Connection::GetEphemeralKeyInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SSL* ssl = engine()->ssl();
  Napi::Object o = Napi::Object::New(env);
  if (engine()->is_server()) return o;  // node:tls reports the key only on the client
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
  return FinishedMessage(env, engine()->ssl(), false);
}

Napi::Value Connection::GetPeerFinished(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return FinishedMessage(env, engine()->ssl(), true);
}

Napi::Value Connection::ExportKeyingMaterial(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SSL* ssl = engine()->ssl();
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
  long size = info[0].As<Napi::Number>().Int64Value();
  return Napi::Boolean::New(env, SSL_set_max_send_fragment(engine()->ssl(), size) == 1);
}

Napi::Value Connection::GetServername(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* name = SSL_get_servername(engine()->ssl(), TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) return env.Null();
  return Napi::String::New(env, name);
}

Napi::Value Connection::GetSession(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SSL_SESSION* sess = SSL_get_session(engine()->ssl());
  if (sess == nullptr || !engine()->handshake_done()) return env.Undefined();
  int len = i2d_SSL_SESSION(sess, nullptr);
  if (len <= 0) return env.Undefined();
  auto buf = Napi::Buffer<unsigned char>::New(env, static_cast<size_t>(len));
  unsigned char* p = buf.Data();
  i2d_SSL_SESSION(sess, &p);
  return buf;
}

Napi::Value Connection::IsSessionReused(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Napi::Boolean::New(env, SSL_session_reused(engine()->ssl()) == 1);
}

}  // namespace otls

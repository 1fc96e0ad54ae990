// Connection over the native TCP transport (TcpLink): made by the listener
// when JS must first hear of a connection (Adopt), or a client's given the
// socket node connected (attachSocket); then told of what the link
// reads through its `onresult` property; every entry point's output goes to
// the socket instead of into the result. The socket API (addresses, no-delay,
// keep-alive, ref/unref, byte counts) is answered by the link.
#include <unistd.h>

#include <utility>
#include <vector>

#include "binding/addon_data.h"
#include "binding/connection.h"
#include "binding/env_teardown.h"
#include "binding/errors.h"
#include "binding/loop_js.h"

namespace otls {

Napi::Object Connection::Adopt(Napi::Env env, TcpLink* link) {
  // The constructor takes the link only with the token JS never sees.
  AddonData& data = GetAddonData(env);
  if (data.adopt_token.IsEmpty()) data.adopt_token = Napi::Persistent(Napi::Object::New(env));
  data.adopting = link;
  try {
    Napi::Object conn = data.connection.New({data.adopt_token.Value()});
    data.adopting = nullptr;
    return conn;
  } catch (...) {
    data.adopting = nullptr;
    throw;
  }
}

void Connection::AttachSocket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (link_ != nullptr) throw CodedError(env, "ERR_INVALID_STATE", "The connection has a socket already");
  if (!info[0].IsNumber()) throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "fd must be a number");
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    throw CodedError(env, "ERR_INVALID_STATE", "No event loop");
  }
  int err = 0;
  TcpLink* link = TcpLink::Open(loop, info[0].As<Napi::Number>().Int32Value(), info[1].ToBoolean(), &err);
  if (link == nullptr) throw UvError(env, err, "open");
  link_ = link;
  // The link owns the engine from now on (and frees it when it closes).
  link->Start(std::move(engine_), this);
  // As for an adopted connection: the open socket keeps its JS objects alive.
  Ref();
}

Napi::Value Connection::LinkResult(Napi::Env env, Cycle* cycle, uint32_t link_status, int uv_error,
                                   const char* syscall) {
  return AddLinkStatus(env, Finish(env, cycle), *cycle, link_status, uv_error, syscall);
}

Napi::Value Connection::AddLinkStatus(Napi::Env env, Napi::Value result, const Cycle& cycle, uint32_t link_status,
                                      int uv_error, const char* syscall) {
  if (link_status != 0) {
    Napi::Object o = result.As<Napi::Object>();
    o.Set("status", Napi::Number::New(env, cycle.status | link_status));
    if ((link_status & kTransportError) != 0) {
      o.Set("transportError", UvError(env, uv_error, syscall != nullptr ? syscall : "read").Value());
    }
  }
  return result;
}

void Connection::OnLinkCycle(TcpLink* /*link*/, Cycle* cycle, uint32_t link_status, int uv_error,
                             const char* syscall) noexcept {
  Napi::Env env = Env();
  LoopCallbackScope scope(env);
  if (!scope.ok()) return;  // no JS any more
  ClearErrorOnReturn clear;
  try {
    Napi::Object self = Value();
    Napi::Value error = Settle(env, cycle);
    Napi::Value cleartext;
    if ((link_status & kTransportError) == 0 && BareResult(env, *cycle, error, &cleartext)) {
      // What most reads bring, a status and cleartext: onresult(status, cleartext), no object built.
      CallFromLoop(env, self.Get("onresult"), self, {Napi::Number::New(env, cycle->status | link_status), cleartext});
      return;
    }
    Napi::Value result = AddLinkStatus(env, ResultObject(env, cycle, error), *cycle, link_status, uv_error, syscall);
    CallFromLoop(env, self.Get("onresult"), self, {result});
  } catch (const Napi::Error& e) {
    UncaughtFromLoop(env, e);
  } catch (...) {
  }
}

bool Connection::BareResult(Napi::Env env, const Cycle& cycle, const Napi::Value& error, Napi::Value* cleartext) {
  const TlsEngine* engine = this->engine();
  if (link_ == nullptr || engine == nullptr || !error.IsEmpty()) return false;
  if (CleartextRecords(cycle) > 1 || !cycle.early_data.empty() || (cycle.status & kPaused) != 0) return false;
  const EngineOutputs& outputs = cycle.outputs;
  if (!outputs.sessions.empty() || outputs.ocsp || !outputs.keylog.empty() || outputs.peer_renegotiations > 0) {
    return false;
  }
  *cleartext = SingleCleartext(env, cycle);
  // As ResultObject: destroy() was called from a JS callback inside OpenSSL.
  if (destroy_deferred_ && !in_js_callback_) ReleaseSsl();
  return true;
}

Napi::Value Connection::WriteResult(Napi::Env env, Cycle* cycle) {
  Napi::Value error = Settle(env, cycle);
  // On the link a write's result is nearly always its status alone: that number, no object.
  Napi::Value cleartext;
  if (cycle->cleartext == 0 && BareResult(env, *cycle, error, &cleartext)) return Napi::Number::New(env, cycle->status);
  return ResultObject(env, cycle, error);
}

void Connection::FlushToLink(Cycle* cycle) {
  TlsEngine* engine = link_->engine();
  if (engine == nullptr) return;
  // The bytes wait until JS has seen this result (flushOutput()): newSession may
  // hold them, and a client that rejects the server never sends its Finished.
  if (TcpLink::JsFirst(*engine, *cycle) && !js_hold_) {
    js_hold_ = true;
    link_->Hold();
    cycle->status |= kOutputHeld;
  }
  link_->Flush();
  if (link_->output_held()) {
    // Held for newSession: the write's callback waits for the bytes to go out.
    link_->NotifyWhenFlushed();
    cycle->status |= kWriteQueued;
  } else if (link_->writes_pending()) {
    cycle->status |= kWriteQueued;
  }
}

TcpLink* Connection::RequireLink(Napi::Env env) const {
  if (link_ == nullptr) throw CodedError(env, "ERR_SOCKET_CLOSED", "Socket is closed");
  return link_;
}

// A relayed link reads as its relay has room (backpressure is the relay's, not the stream's).
void Connection::ReadStart(const Napi::CallbackInfo& info) {
  TcpLink* link = RequireLink(info.Env());
  if (!link->relayed()) link->ReadStart();
}

void Connection::ReadStop(const Napi::CallbackInfo& info) {
  TcpLink* link = RequireLink(info.Env());
  if (!link->relayed()) link->ReadStop();
}

Napi::Value SocketPairJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fds[2] = {-1, -1};
  int err = 0;
  if (!CleartextRelay::SocketPair(fds, &err)) throw UvError(env, err, "socketpair");
  Napi::Array pair = Napi::Array::New(env, 2);
  pair.Set(0u, Napi::Number::New(env, fds[0]));
  pair.Set(1u, Napi::Number::New(env, fds[1]));
  return pair;
}

Napi::Value Connection::Relay(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  // The relay's end of a pair JS made (binding.socketPair()): this call's from now
  // on, closed if it throws; or null for a new pair.
  struct OwnedFd {
    int fd = -1;
    OwnedFd() = default;
    OwnedFd(const OwnedFd&) = delete;
    OwnedFd& operator=(const OwnedFd&) = delete;
    OwnedFd(OwnedFd&&) = delete;
    OwnedFd& operator=(OwnedFd&&) = delete;
    ~OwnedFd() {
      if (fd >= 0) close(fd);
    }
  } own;
  if (info[0].IsNumber() && info[0].As<Napi::Number>().Int32Value() >= 0) {
    own.fd = info[0].As<Napi::Number>().Int32Value();
  } else if (!info[0].IsNull()) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "fd must be a number or null");
  }
  TcpLink* link = RequireLink(env);
  const TlsEngine* engine = link->engine();
  if (engine == nullptr || !engine->handshake_done() || link->relayed()) {
    throw CodedError(env, "ERR_INVALID_STATE", "The connection cannot relay its cleartext");
  }
  std::vector<Chunk> first;
  first.reserve(info.Length());
  for (size_t i = 1; i < info.Length(); ++i) {
    if (!info[i].IsBuffer()) throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "chunks must be Buffers");
    auto buf = info[i].As<Napi::Buffer<unsigned char>>();
    first.push_back(Chunk{buf.Data(), buf.Length()});
  }
  const bool given = own.fd >= 0;
  int err = 0;
  // The link owns the given end from here, whatever happens.
  int fd = link->StartRelay(std::exchange(own.fd, -1), first.data(), first.size(), &err);
  if (given) {
    if (err != 0) throw UvError(env, err, "open");
    return env.Undefined();
  }
  if (fd < 0) throw UvError(env, err, "socketpair");
  return Napi::Number::New(env, fd);
}

void Connection::HoldOutput(const Napi::CallbackInfo& info) { RequireLink(info.Env())->Hold(); }

void Connection::ReleaseOutput(const Napi::CallbackInfo& /*info*/) {
  if (link_ != nullptr) link_->Release();
}

void Connection::FlushOutput(const Napi::CallbackInfo& /*info*/) {
  if (link_ == nullptr || !js_hold_) return;
  js_hold_ = false;
  link_->Release();
}

Napi::Value Connection::LinkAddress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (link_ == nullptr) return env.Undefined();
  sockaddr_storage ss{};
  int err = info[0].ToBoolean() ? link_->PeerName(&ss) : link_->SockName(&ss);
  if (err != 0) return env.Undefined();
  Napi::Object o = Napi::Object::New(env);
  if (!PutAddress(o, ss)) return env.Undefined();
  return o;
}

Napi::Value Connection::SetNoDelay(const Napi::CallbackInfo& info) {
  if (link_ == nullptr) return Napi::Number::New(info.Env(), 0);
  return Napi::Number::New(info.Env(), link_->SetNoDelay(info[0].ToBoolean()));
}

Napi::Value Connection::SetKeepAlive(const Napi::CallbackInfo& info) {
  if (link_ == nullptr) return Napi::Number::New(info.Env(), 0);
  unsigned int delay = info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : 0;
  return Napi::Number::New(info.Env(), link_->SetKeepAlive(info[0].ToBoolean(), delay));
}

void Connection::LinkRef(const Napi::CallbackInfo& /*info*/) {
  if (link_ != nullptr) link_->Ref();
}

void Connection::LinkUnref(const Napi::CallbackInfo& /*info*/) {
  if (link_ != nullptr) link_->Unref();
}

Napi::Value Connection::LinkStartedAt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  // libuv's loop time (ms, the monotonic clock process.hrtime reads) when the link was made.
  if (link_ == nullptr) return env.Undefined();
  return Napi::Number::New(env, static_cast<double>(link_->started_at()));
}

Napi::Value Connection::LinkBytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array pair = Napi::Array::New(env, 2);
  pair.Set(0u, Napi::Number::New(env, link_ == nullptr ? 0.0 : static_cast<double>(link_->bytes_read())));
  pair.Set(1u, Napi::Number::New(env, link_ == nullptr ? 0.0 : static_cast<double>(link_->bytes_written())));
  return pair;
}

}  // namespace otls

// TcpListener: accepting and handshaking with no JS (binding/tcp_listener.h).
#include "binding/tcp_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <vector>

#include "binding/connection.h"
#include "binding/env_teardown.h"
#include "binding/errors.h"
#include "binding/loop_js.h"
#include "binding/secure_context.h"

namespace otls {

// The libuv handles live apart from the JS object: libuv may still own them
// after the object is gone, until their close callbacks have run.
struct TcpListener::Handles {
  uv_tcp_t tcp{};
  uv_timer_t timer{};
  TcpListener* owner = nullptr;
  int open = 0;

  static void OnClose(uv_handle_t* handle) {
    auto* h = static_cast<Handles*>(handle->data);
    if (--h->open == 0) std::unique_ptr<Handles> owned(h);
  }
};

Napi::Function TcpListener::Init(Napi::Env env) {
  return DefineClass(env, "TcpListener",
                     {
                         InstanceMethod<&TcpListener::SetContext>("setContext"),
                         InstanceMethod<&TcpListener::SetOptions>("setOptions"),
                         InstanceMethod<&TcpListener::SetHandshakeTimeout>("setHandshakeTimeout"),
                         InstanceMethod<&TcpListener::SetLimit>("setLimit"),
                         InstanceMethod<&TcpListener::Close>("close"),
                         InstanceMethod<&TcpListener::GetSockName>("getsockname"),
                         InstanceMethod<&TcpListener::Ref>("ref"),
                         InstanceMethod<&TcpListener::Unref>("unref"),
                         InstanceMethod<&TcpListener::Pending>("pending"),
                         InstanceMethod<&TcpListener::ClosePending>("closePending"),
                         InstanceAccessor<&TcpListener::Fd>("fd"),
                     });
}

TcpListener::TcpListener(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TcpListener>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsFunction()) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "TcpListener(fd, backlog, onconnection)");
  }
  Value().Set("onconnection", info[2]);
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    throw CodedError(env, "ERR_INVALID_STATE", "No event loop");
  }
  int fd = dup(info[0].As<Napi::Number>().Int32Value());
  if (fd < 0) throw UvError(env, uv_translate_sys_error(errno), "dup");
  auto handles = std::make_unique<Handles>();
  int err = uv_tcp_init(loop, &handles->tcp);
  if (err != 0) {
    close(fd);
    throw UvError(env, err, "uv_tcp_init");
  }
  handles->tcp.data = handles.get();
  handles->timer.data = handles.get();
  handles->owner = this;
  handles->open = 1;
  Handles* h = handles.release();  // libuv's from here (Handles::OnClose)
  handles_ = h;
  err = uv_tcp_open(&h->tcp, fd);
  if (err != 0) {
    close(fd);  // not the handle's: uv_close will not close it
  } else {
    err = uv_listen(reinterpret_cast<uv_stream_t*>(&h->tcp), info[1].As<Napi::Number>().Int32Value(), OnConnection);
  }
  if (err == 0) err = uv_timer_init(loop, &h->timer);
  if (err != 0) {
    closed_ = true;
    handles_ = nullptr;
    h->owner = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&h->tcp), Handles::OnClose);
    throw UvError(env, err, "listen");
  }
  ++h->open;  // the timer
  uv_unref(reinterpret_cast<uv_handle_t*>(&h->timer));
  UpdateKeepAlive();
}

TcpListener::~TcpListener() {
  for (TcpLink* link : pending_) link->Close();
  pending_.clear();
  if (handles_ != nullptr && !closed_) {
    handles_->owner = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&handles_->tcp), Handles::OnClose);
    uv_close(reinterpret_cast<uv_handle_t*>(&handles_->timer), Handles::OnClose);
  }
}

void TcpListener::UpdateKeepAlive() {
  bool want = !closed_ || !pending_.empty();
  if (want && !kept_alive_) {
    Napi::ObjectWrap<TcpListener>::Ref();
    kept_alive_ = true;
  } else if (!want && kept_alive_) {
    Napi::ObjectWrap<TcpListener>::Unref();
    kept_alive_ = false;
  }
}

void TcpListener::SetContext(const Napi::CallbackInfo& info) {
  SecureContext* sc = SecureContext::FromValue(info.Env(), info[0]);
  if (sc->ctx() == nullptr) throw CodedError(info.Env(), "ERR_INVALID_STATE", "The SecureContext has been closed");
  SSL_CTX_up_ref(sc->ctx());
  ctx_.reset(sc->ctx());
}

void TcpListener::SetOptions(const Napi::CallbackInfo& info) {
  if (!info[0].IsObject()) throw CodedTypeError(info.Env(), "ERR_INVALID_ARG_TYPE", "options must be an object");
  Napi::Object o = info[0].As<Napi::Object>();
  EngineOptions opts = Connection::ReadEngineOptions(info.Env(), o);
  opts.is_server = true;
  options_ = std::move(opts);
  no_delay_ = o.Get("noDelay").ToBoolean();
  offload_handshake_ = o.Get("offloadHandshake").ToBoolean();
  raw_connections_ = o.Get("rawConnections").ToBoolean();
  keep_alive_ = o.Get("keepAlive").ToBoolean();
  Napi::Value delay = o.Get("keepAliveInitialDelay");
  keep_alive_delay_s_ = delay.IsNumber() ? delay.As<Napi::Number>().Uint32Value() : 0;
}

void TcpListener::SetHandshakeTimeout(const Napi::CallbackInfo& info) {
  double ms = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 0;
  // Past 2^53 ms (285,000 years) is the same as never; a double beyond
  // uint64_t's range would not convert at all.
  constexpr double kNever = 9007199254740992.0;
  handshake_timeout_ms_ = ms > 0 ? static_cast<uint64_t>(ms < kNever ? ms : kNever) : 0;
  if (handles_ == nullptr || closed_) return;
  uv_timer_stop(&handles_->timer);
  if (handshake_timeout_ms_ > 0) {
    // A sweep a few times per timeout: at most a quarter late, one timer for all.
    uint64_t every = std::max<uint64_t>(10, std::min<uint64_t>(1000, handshake_timeout_ms_ / 4));
    uv_timer_start(&handles_->timer, OnSweep, every, every);
  }
}

void TcpListener::SetLimit(const Napi::CallbackInfo& info) {
  max_connections_ = info[0].IsNumber() ? info[0].As<Napi::Number>().Int64Value() : -1;
  js_connections_ = info[1].IsNumber() ? info[1].As<Napi::Number>().Int64Value() : 0;
}

void TcpListener::Close(const Napi::CallbackInfo& info) {
  if (!closed_ && handles_ != nullptr) {
    closed_ = true;
    // The listening socket goes; the handshakes under way go on (as net.Server).
    uv_close(reinterpret_cast<uv_handle_t*>(&handles_->tcp), Handles::OnClose);
    if (pending_.empty()) {
      handles_->owner = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(&handles_->timer), Handles::OnClose);
      handles_ = nullptr;
    }
  }
  if (info[0].IsFunction()) {
    Napi::Function cb = info[0].As<Napi::Function>();
    // net.Server passes none; a caller that does hears back on the next tick.
    Napi::Env env = info.Env();
    Napi::Object process = env.Global().Get("process").As<Napi::Object>();
    process.Get("nextTick").As<Napi::Function>().Call(process, {cb});
  }
  UpdateKeepAlive();
}

Napi::Value TcpListener::GetSockName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (handles_ == nullptr || closed_) return Napi::Number::New(env, UV_EBADF);
  sockaddr_storage ss{};
  int len = sizeof(ss);
  int err = uv_tcp_getsockname(&handles_->tcp, reinterpret_cast<sockaddr*>(&ss), &len);
  if (err != 0) return Napi::Number::New(env, err);
  if (!info[0].IsObject()) return Napi::Number::New(env, 0);
  PutAddress(info[0].As<Napi::Object>(), ss);
  return Napi::Number::New(env, 0);
}

void TcpListener::Ref(const Napi::CallbackInfo& /*info*/) {
  if (handles_ != nullptr && !closed_) uv_ref(reinterpret_cast<uv_handle_t*>(&handles_->tcp));
}

void TcpListener::Unref(const Napi::CallbackInfo& /*info*/) {
  if (handles_ != nullptr && !closed_) uv_unref(reinterpret_cast<uv_handle_t*>(&handles_->tcp));
}

Napi::Value TcpListener::Fd(const Napi::CallbackInfo& info) {
  uv_os_fd_t fd = -1;
  if (handles_ == nullptr || closed_ || uv_fileno(reinterpret_cast<uv_handle_t*>(&handles_->tcp), &fd) != 0) fd = -1;
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value TcpListener::Pending(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(pending_.size()));
}

void TcpListener::ClosePending(const Napi::CallbackInfo& /*info*/) {
  ClearErrorOnReturn clear;
  std::vector<TcpLink*> links(pending_.begin(), pending_.end());
  pending_.clear();
  for (TcpLink* link : links) link->Close();
  if (closed_ && handles_ != nullptr) {
    handles_->owner = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&handles_->timer), Handles::OnClose);
    handles_ = nullptr;
  }
  UpdateKeepAlive();
}

void TcpListener::OnConnection(uv_stream_t* server, int status) {
  auto* h = static_cast<Handles*>(server->data);
  if (status != 0 || h->owner == nullptr) return;
  h->owner->Accept();
}

void TcpListener::Accept() noexcept {
  LoopCallbackScope scope(Env());
  if (!scope.ok()) return;  // the environment is going away: nobody to accept for
  ClearErrorOnReturn clear;
  try {
    AcceptOne();
  } catch (const Napi::Error& e) {
    UncaughtFromLoop(Env(), e);
  } catch (...) {
  }
}

void TcpListener::AcceptOne() {
  int err = 0;
  TcpLink* link = TcpLink::Accept(reinterpret_cast<uv_stream_t*>(&handles_->tcp), &err);
  if (link == nullptr) return;
  if (max_connections_ >= 0 && static_cast<int64_t>(pending_.size()) + js_connections_ >= max_connections_) {
    Drop(link);
    return;
  }
  if (raw_connections_) {
    HandOver(link);
    return;
  }
  if (no_delay_) link->SetNoDelay(true);
  link->set_offload(offload_handshake_);
  if (keep_alive_) link->SetKeepAlive(true, keep_alive_delay_s_);
  auto engine = std::make_unique<TlsEngine>();
  if (!ctx_ || engine->Init(ctx_.get(), options_) != nullptr) {
    link->Close();
    return;
  }
  try {
    pending_.insert(link);
  } catch (...) {
    link->Close();
    return;
  }
  link->Start(std::move(engine), this);
  UpdateKeepAlive();
}

void TcpListener::Drop(TcpLink* link) {
  // What node's 'drop' event carries, read before the socket goes (and the
  // socket gone before anything that may throw).
  sockaddr_storage local{};
  sockaddr_storage peer{};
  const bool has_local = link->SockName(&local) == 0;
  const bool has_peer = link->PeerName(&peer) == 0;
  link->Close();
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  Napi::Object info = Napi::Object::New(env);
  if (has_local) PutAddress(info, local, "localAddress", "localPort", "localFamily");
  if (has_peer) PutAddress(info, peer, "remoteAddress", "remotePort", "remoteFamily");
  Napi::Object self = Value();
  CallFromLoop(env, self.Get("ondrop"), self, {info});
}

void TcpListener::HandOver(TcpLink* link) {
  // A copy of the descriptor for net.Socket; the link closes its own.
  int fd = link->Fileno();
  int copy = fd >= 0 ? dup(fd) : -1;
  link->Close();
  if (copy < 0) return;
  try {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Napi::Object self = Value();
    Napi::Value fn = self.Get("onraw");
    if (!fn.IsFunction()) {
      close(copy);
      return;
    }
    // From here the descriptor is JS's (CallFromLoop reports what the call throws).
    Napi::Number arg = Napi::Number::New(env, copy);
    copy = -1;
    CallFromLoop(env, fn, self, {arg});
  } catch (...) {
    if (copy >= 0) close(copy);
    throw;
  }
}

void TcpListener::OnSweep(uv_timer_t* timer) {
  auto* h = static_cast<Handles*>(timer->data);
  if (h->owner != nullptr) h->owner->Sweep();
}

void TcpListener::Sweep() {
  if (handshake_timeout_ms_ == 0 || pending_.empty()) return;
  uint64_t now = uv_now(handles_->tcp.loop);
  std::vector<TcpLink*> late;
  for (TcpLink* link : pending_) {
    if (now - link->started_at() >= handshake_timeout_ms_) late.push_back(link);
  }
  // Each one surfaces (OnLinkCycle) and leaves pending_.
  for (TcpLink* link : late) link->ReportHandshakeTimeout();
}

void TcpListener::OnLinkCycle(TcpLink* link, Cycle* cycle, uint32_t link_status, int uv_error,
                              const char* syscall) noexcept {
  Napi::Env env = Env();
  LoopCallbackScope scope(env);
  if (!scope.ok()) {
    // No JS any more to hand it to (the environment is going away).
    pending_.erase(link);
    link->Close();
    return;
  }
  ClearErrorOnReturn clear;
  try {
    TellJs(link, cycle, link_status, uv_error, syscall);
  } catch (const Napi::Error& e) {
    UncaughtFromLoop(env, e);
  } catch (...) {
  }
}

void TcpListener::TellJs(TcpLink* link, Cycle* cycle, uint32_t link_status, int uv_error, const char* syscall) {
  pending_.erase(link);
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  Napi::Object conn;
  try {
    conn = Connection::Adopt(env, link);
  } catch (const Napi::Error& e) {
    link->Close();
    UncaughtFromLoop(env, e);
    return;
  }
  try {
    Napi::Value result = Connection::Unwrap(conn)->LinkResult(env, cycle, link_status, uv_error, syscall);
    Napi::Object self = Value();
    CallFromLoop(env, self.Get("onconnection"), self, {conn, result});
  } catch (const Napi::Error& e) {
    UncaughtFromLoop(env, e);
  }
  if (closed_ && pending_.empty() && handles_ != nullptr) {
    handles_->owner = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&handles_->timer), Handles::OnClose);
    handles_ = nullptr;
  }
  UpdateKeepAlive();
}

}  // namespace otls

// TcpListener: a server's listening socket on the native TCP transport. It
// takes over the socket net.Server bound (a duplicate of its descriptor, so
// every form of listen() keeps node's own argument handling), accepts on
// Node's loop, and runs each connection's handshake with no JS object at all.
// JS first hears of a connection through `onconnection(connection, result)`
// when something must be told: the handshake is done, it paused for a
// callback, it failed, the peer went away, or it took too long. As net.Server's
// `_handle` it answers close(), getsockname(), ref() and unref().
#pragma once

#include <napi.h>
#include <uv.h>

#include <unordered_set>

#include "core/ossl.h"
#include "core/tls_engine.h"
#include "transport/tcp_link.h"

namespace otls {

class TcpListener : public Napi::ObjectWrap<TcpListener>, private LinkOwner {
 public:
  static Napi::Function Init(Napi::Env env);
  // (fd, backlog, onconnection)
  explicit TcpListener(const Napi::CallbackInfo& info);
  ~TcpListener() override;
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;
  TcpListener(TcpListener&&) = delete;
  TcpListener& operator=(TcpListener&&) = delete;

 private:
  struct Handles;

  // JS: what new connections are made with, decided as each one is accepted.
  void SetContext(const Napi::CallbackInfo& info);
  void SetOptions(const Napi::CallbackInfo& info);
  void SetHandshakeTimeout(const Napi::CallbackInfo& info);
  // server.maxConnections (-1: none) and how many connections JS holds now.
  void SetLimit(const Napi::CallbackInfo& info);
  // JS: net.Server's view of its handle.
  void Close(const Napi::CallbackInfo& info);
  Napi::Value GetSockName(const Napi::CallbackInfo& info);
  void Ref(const Napi::CallbackInfo& info);
  void Unref(const Napi::CallbackInfo& info);
  Napi::Value Fd(const Napi::CallbackInfo& info);
  Napi::Value Pending(const Napi::CallbackInfo& info);
  // Closes the connections whose handshake JS has not heard of (they are gone without a word).
  void ClosePending(const Napi::CallbackInfo& info);

  static void OnConnection(uv_stream_t* server, int status);
  static void OnSweep(uv_timer_t* timer);
  // Called from libuv: what the N-API calls throw becomes an uncaught exception.
  void Accept() noexcept;
  void AcceptOne();
  // Past maxConnections: the connection is closed at once and JS told ('drop').
  void Drop(TcpLink* link);
  void HandOver(TcpLink* link);
  void Sweep();
  void OnLinkCycle(TcpLink* link, Cycle* cycle, uint32_t link_status, int uv_error,
                   const char* syscall) noexcept override;
  // OnLinkCycle's work; it may throw (OnLinkCycle reports what it throws).
  void TellJs(TcpLink* link, Cycle* cycle, uint32_t link_status, int uv_error, const char* syscall);
  // Keeps this object alive while its socket is open or handshakes are pending.
  void UpdateKeepAlive();

  Handles* handles_ = nullptr;  // owned by libuv's close callbacks once closed
  bool closed_ = false;
  bool kept_alive_ = false;
  SslCtxPtr ctx_;
  EngineOptions options_;
  // net.Server's socket options, applied to each accepted socket.
  bool no_delay_ = false;
  bool offload_handshake_ = false;
  // 'connection' listeners want raw sockets: each accepted socket goes to JS as a descriptor.
  bool raw_connections_ = false;
  bool keep_alive_ = false;
  unsigned int keep_alive_delay_s_ = 0;
  uint64_t handshake_timeout_ms_ = 0;
  int64_t max_connections_ = -1;
  int64_t js_connections_ = 0;
  std::unordered_set<TcpLink*> pending_;
};

}  // namespace otls

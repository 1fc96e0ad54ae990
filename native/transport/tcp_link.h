// TcpLink: the native TCP transport of one connection (a client's may be a Unix
// domain socket). C++ owns the socket on Node's own loop (libuv): encrypted
// bytes are read straight into the engine's input and its output is written
// straight from the output BIO's memory, so no encrypted byte crosses into JS.
// Whoever drives the link (its LinkOwner: the listener while the handshake runs
// with no JS object at all, then the Connection once JS has been told, or a
// client's Connection from the start) hears only of what JS must see.
//
// Lifetime: a link is heap-allocated and frees itself in libuv's close
// callback, after Close(); from Close() on, its owner hears nothing more.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>

#include "core/engine_step.h"
#include "core/tls_engine.h"
#include "transport/cleartext_relay.h"
#include "transport/pool_step.h"

namespace otls {

// What a link adds to a Cycle's status (the engine's bits are below 1 << 8).
enum LinkStatus : uint32_t {
  kTransportEnd = 1u << 8,       // the peer sent FIN
  kTransportError = 1u << 9,     // a read or write failed (Cycle: uv_error, syscall)
  kWritesDone = 1u << 10,        // every queued write has reached the kernel
  kShutdownDone = 1u << 11,      // our FIN went out (after close_notify)
  kHandshakeTimeout = 1u << 12,  // the handshake did not finish in time
  kWriteQueued = 1u << 13,       // this call's output waits in libuv's queue
  kOutputHeld = 1u << 14,        // this result's output waits for JS (flushOutput())
  kRelayEnd = 1u << 15,          // the relay's other end will write no more (StartRelay)
};

class TcpLink;

class LinkOwner {
 public:
  // Something JS must hear of: `status` has the bits, the engine's cycle its
  // details. Called from libuv's callbacks: nothing may escape it.
  virtual void OnLinkCycle(TcpLink* link, Cycle* cycle, uint32_t link_status, int uv_error,
                           const char* syscall) noexcept = 0;
  // Where a read's records may be decrypted (core/record_sink.h), or null: asked
  // before each read, released once the read is reported.
  virtual RecordSink* InputSink() noexcept { return nullptr; }

 protected:
  LinkOwner() = default;
  LinkOwner(const LinkOwner&) = default;
  LinkOwner& operator=(const LinkOwner&) = default;
  LinkOwner(LinkOwner&&) = default;
  LinkOwner& operator=(LinkOwner&&) = default;
  ~LinkOwner() = default;
};

class TcpLink : private EngineStep::Owner, private CleartextRelay::Link {
 public:
  // Accepts one pending connection of `server` on its loop; null when that fails.
  static TcpLink* Accept(uv_stream_t* server, int* error);

  // A client's connected socket, taken over from node: a duplicate of `fd` (a TCP
  // socket, or a Unix domain socket when `pipe`) on `loop` (node closes its own);
  // null when that fails.
  static TcpLink* Open(uv_loop_t* loop, int fd, bool pipe, int* error);

  // Starts reading and driving `engine`, which the link owns from now on (a
  // server's waits for the ClientHello; a client's Connection has started it).
  void Start(std::unique_ptr<TlsEngine> engine, LinkOwner* owner);
  // The engine (null once closed, and while a handshake step has it on the pool).
  TlsEngine* engine() const { return engine_.get(); }
  // offloadHandshake: until a Connection adopts the link (no JS object yet),
  // handshake steps run on libuv's thread pool; reading waits for each step.
  void set_offload(bool on) { offload_ = on; }
  // JS has been told: a Connection drives the link from now on (and the
  // remaining handshake steps run on the loop's thread).
  void Adopt(LinkOwner* owner) {
    owner_ = owner;
    offload_ = false;
  }
  uint64_t started_at() const { return started_at_; }

  // A cycle whose output must wait until JS has seen it: new sessions (newSession
  // may hold them back), a client's OCSP status (an 'OCSPResponse' listener may
  // destroy it before its next flight, as in node:tls) and a client's completed
  // handshake (JS checks the server before the client's Finished goes out).
  static bool JsFirst(const TlsEngine& engine, const Cycle& cycle) {
    if (!cycle.outputs.sessions.empty() || cycle.outputs.ocsp) return true;
    if ((cycle.status & kHandshakeDone) == 0) return false;
    // A client checks the server before its Finished goes; a server refusing the
    // client's certificate sends nothing more (as node:tls destroys it first).
    return !engine.is_server() || engine.RefusesPeer();
  }
  // Sends what the engine produced (unless held); a failed write is reported to the owner.
  void Flush();
  // Holds output back (newSession) until every hold is released.
  void Hold() { ++holds_; }
  void Release();
  bool writes_pending() const { return pending_writes_ > 0; }
  // Output is held back (newSession): JS's writes wait for it, and for WRITES_DONE.
  bool output_held() const;
  void NotifyWhenFlushed() { notify_flushed_ = true; }

  void ReadStart();
  void ReadStop();
  // close_notify must be in the engine's output already; FIN goes after it.
  void Shutdown();
  // Closes the socket; the link frees itself once libuv is done with it.
  void Close();

  // From now on the cleartext goes over a socketpair instead of to the owner
  // (transport/cleartext_relay.h): what the link decrypts is written to the
  // relay, what the relay reads is encrypted and sent; `first` (cleartext the
  // owner had already been given and not consumed) goes first. `own_fd` is the
  // relay's end of a pair made already (the link owns it from now on, whatever
  // happens), or -1 for a new pair, whose other end's descriptor is returned (the
  // caller's from now on). Returns -1 with a libuv error in *error when it fails.
  // The owner still hears of everything but cleartext, and of kRelayEnd.
  int StartRelay(int own_fd, const Chunk* first, size_t count, int* error);
  bool relayed() const { return relay_ != nullptr; }

  // The socket's descriptor (-1 if none).
  int Fileno() const;
  int PeerName(sockaddr_storage* out) const;
  int SockName(sockaddr_storage* out) const;
  // TCP options; nothing to do on a pipe (as net.Socket).
  int SetNoDelay(bool on) { return pipe_ ? 0 : uv_tcp_nodelay(&handle_.tcp, on ? 1 : 0); }
  int SetKeepAlive(bool on, unsigned int delay_s) {
    return pipe_ ? 0 : uv_tcp_keepalive(&handle_.tcp, on ? 1 : 0, delay_s);
  }
  // (The relay's end of its pair with it.)
  void Ref() {
    uv_ref(handle());
    if (relay_ != nullptr) relay_->SetRef(true);
  }
  void Unref() {
    uv_unref(handle());
    if (relay_ != nullptr) relay_->SetRef(false);
  }
  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t bytes_written() const { return bytes_written_; }
  // Reports a handshake that took too long (the listener's sweep).
  void ReportHandshakeTimeout();

  // Only through Accept() or Open(), and freed only by libuv's close callback after Close().
  TcpLink() = default;
  virtual ~TcpLink() = default;
  TcpLink(const TcpLink&) = delete;
  TcpLink& operator=(const TcpLink&) = delete;

 private:
  struct WriteReq;

  // libuv's callbacks: noexcept, so nothing unwinds through libuv (running out
  // of memory there ends the process, as anywhere else in node).
  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf) noexcept;
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept;
  static void OnWrite(uv_write_t* req, int status) noexcept;
  static void OnShutdown(uv_shutdown_t* req, int status) noexcept;
  static void OnClose(uv_handle_t* handle) noexcept;
  static void OnDeferred(uv_timer_t* timer) noexcept;
  // The handles of a new link on `loop`; false (error set) when the socket's fails.
  bool InitHandles(uv_loop_t* loop, bool pipe, int* error);
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&handle_); }
  uv_handle_t* handle() { return reinterpret_cast<uv_handle_t*>(&handle_); }
  // Queues a handshake step on the thread pool; false when it must run here.
  bool QueueStep();
  // The step is back with the engine (EngineStep::Owner).
  void OnStepDone(std::unique_ptr<TlsEngine> engine, Cycle* cycle) noexcept override;
  // What follows the engine's work on input: collect, send, tell the owner.
  void AfterInput(Cycle* cycle);
  void Report(Cycle* cycle, uint32_t link_status, int uv_error = 0, const char* syscall = nullptr);
  // An event that arose inside a call from JS: told from the loop, never inside that call.
  void Defer(uint32_t link_status, int uv_error = 0, const char* syscall = nullptr);
  // True when this cycle carries something JS must see.
  static bool Interesting(const Cycle& cycle);
  // A read's cleartext to the relay (none is left for the owner).
  void RelayCleartext(Cycle* cycle);
  // CleartextRelay::Link.
  void RelayInput(const char* data, size_t len) noexcept override;
  void RelayEnded() noexcept override;
  void RelayDrained() noexcept override;

  // The socket: TCP (every server link), or a client's Unix domain socket.
  union Socket {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } handle_{};
  bool pipe_ = false;
  uv_timer_t deferred_{};
  // The handles the link must outlive.
  int open_handles_ = 0;
  bool has_timer_ = false;
  // A handshake step on the pool has the engine (engine_ is null meanwhile).
  PoolStep step_;
  bool offload_ = false;
  uint32_t deferred_status_ = 0;
  int deferred_error_ = 0;
  const char* deferred_syscall_ = nullptr;
  // The one owner of the engine, but while a step on the pool has it.
  std::unique_ptr<TlsEngine> engine_;
  LinkOwner* owner_ = nullptr;
  uint64_t started_at_ = 0;
  uint32_t holds_ = 0;
  uint32_t pending_writes_ = 0;
  bool reading_ = false;
  // The socket said EOF or failed: reading does not start again.
  bool read_ended_ = false;
  // The cleartext's way out and in, once StartRelay has made it (closed with the link).
  CleartextRelay* relay_ = nullptr;
  bool closing_ = false;
  bool shutdown_requested_ = false;
  bool shutdown_after_release_ = false;
  bool notify_flushed_ = false;
  bool write_failed_ = false;
  // The queues' buffers were freed once the handshake's output had gone.
  bool queues_released_ = false;
  uint64_t bytes_read_ = 0;
  uint64_t bytes_written_ = 0;
};

}  // namespace otls

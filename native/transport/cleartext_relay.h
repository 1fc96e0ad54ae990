// CleartextRelay: a connection's cleartext carried over one end of a Unix
// socketpair, so a consumer in node that reads a native stream (http2's
// session reads a net.Socket's libuv handle with no JS per read) can take a
// TcpLink's cleartext without a JS stream in between. The link writes what it
// decrypts into this end and encrypts what it reads from it; JS wraps the other
// end in a net.Socket (docs/ARCHITECTURE.md, "HTTP/2 over our socket").
//
// Backpressure both ways: while this end's writes wait in libuv's queue the link
// stops reading its socket (Drained() starts it again), and while the link's own
// writes wait the relay stops reading the pair. Half-close: the peer's end of
// the TLS stream shuts this end's writing down once what is queued has gone; the
// other end's EOF (or reset) is told to the link, which ends the TLS stream.
//
// Lifetime: heap-allocated, freed by libuv's close callback after Close(); the
// link hears nothing from then on.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>

namespace otls {

class CleartextRelay {
 public:
  // What the relay tells the link that owns it (never after Close()).
  class Link {
   public:
    // Cleartext the other end wrote: to be encrypted and sent.
    virtual void RelayInput(const char* data, size_t len) noexcept = 0;
    // The other end shut down its writing or closed (its EOF, or a read error).
    virtual void RelayEnded() noexcept = 0;
    // Every queued write reached the pair: the link may read its socket again.
    virtual void RelayDrained() noexcept = 0;

   protected:
    Link() = default;
    Link(const Link&) = default;
    Link& operator=(const Link&) = default;
    Link(Link&&) = default;
    Link& operator=(Link&&) = default;
    ~Link() = default;
  };

  // A Unix socketpair, both ends close-on-exec; false (a libuv error in *error) when it cannot be made.
  static bool SocketPair(int fds[2], int* error);
  // The relay over `fd`, one end of a socketpair, on `loop`: the relay owns it from
  // now on, even when this fails (null, a libuv error in *error).
  static CleartextRelay* Open(uv_loop_t* loop, Link* link, int fd, int* error);

  // Cleartext toward the other end, copied before this returns; false when some
  // waits in libuv's queue (the link stops reading until RelayDrained()). What
  // comes after the other end has gone (a failed write) is dropped.
  bool Send(const char* data, size_t len);
  bool blocked() const { return pending_writes_ > 0; }
  // No more cleartext: FIN to the other end once what is queued has gone.
  void EndOutput();
  void ReadStart();
  void ReadStop();
  // Whether this end keeps the loop alive (as its link's socket does).
  void SetRef(bool on) {
    if (on) {
      uv_ref(reinterpret_cast<uv_handle_t*>(&pipe_));
    } else {
      uv_unref(reinterpret_cast<uv_handle_t*>(&pipe_));
    }
  }
  // Closes this end (the other sees EOF); the relay frees itself once libuv is done.
  void Close();

  // Only through Open(), and freed only by libuv's close callback after Close().
  CleartextRelay() = default;
  ~CleartextRelay() = default;
  CleartextRelay(const CleartextRelay&) = delete;
  CleartextRelay& operator=(const CleartextRelay&) = delete;
  CleartextRelay(CleartextRelay&&) = delete;
  CleartextRelay& operator=(CleartextRelay&&) = delete;

 private:
  struct WriteReq;

  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf) noexcept;
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept;
  static void OnWrite(uv_write_t* req, int status) noexcept;
  static void OnShutdown(uv_shutdown_t* req, int status) noexcept;
  static void OnClose(uv_handle_t* handle) noexcept;
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&pipe_); }
  // Send of at most 1 GiB (one libuv buffer).
  bool SendPiece(const char* data, size_t len);
  // FIN, if it was asked for and nothing waits before it.
  void MaybeShutdown();

  uv_pipe_t pipe_{};
  Link* link_ = nullptr;  // null once closed
  uint32_t pending_writes_ = 0;
  bool reading_ = false;
  bool input_ended_ = false;
  bool end_requested_ = false;
  bool shutdown_sent_ = false;
  bool write_failed_ = false;
  bool closing_ = false;
};

}  // namespace otls

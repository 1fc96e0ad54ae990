// CleartextRelay: one end of a socketpair carrying a link's cleartext
// (transport/cleartext_relay.h).
#include "transport/cleartext_relay.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

namespace otls {

namespace {

// What the other end wrote is read here and encrypted at once. An HTTP/2 session
// writes a batch of responses as one writev (100 streams of 1 KiB: about 105 KB);
// read whole, the batch leaves in one write to the socket instead of two.
constexpr size_t kReadSize = size_t{256} * 1024;
char* RelaySlab() {
  thread_local std::vector<char> slab(kReadSize);
  return slab.data();
}

}  // namespace

// A write libuv could not finish at once: it owns its bytes until the callback.
struct CleartextRelay::WriteReq {
  uv_write_t req{};
  std::vector<char> bytes;
  CleartextRelay* relay = nullptr;
};

bool CleartextRelay::SocketPair(int fds[2], int* error) {
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0) return true;
  *error = uv_translate_sys_error(errno);
  return false;
}

CleartextRelay* CleartextRelay::Open(uv_loop_t* loop, Link* link, int fd, int* error) {
  auto relay = std::make_unique<CleartextRelay>();
  *error = uv_pipe_init(loop, &relay->pipe_, 0);
  if (*error != 0) {
    close(fd);
    return nullptr;
  }
  relay->pipe_.data = relay.get();
  *error = uv_pipe_open(&relay->pipe_, fd);
  if (*error != 0) {
    close(fd);                 // not the handle's yet: uv_close leaves it open
    relay.release()->Close();  // the handle is initialised: only its close callback frees it
    return nullptr;
  }
  relay->link_ = link;
  return relay.release();
}

bool CleartextRelay::Send(const char* data, size_t len) {
  // libuv takes a buffer's length as an unsigned int (a read's cleartext is far less).
  constexpr size_t kMaxPiece = size_t{1} << 30;
  bool sent = true;
  for (; len > kMaxPiece; data += kMaxPiece, len -= kMaxPiece) sent = SendPiece(data, kMaxPiece) && sent;
  return SendPiece(data, len) && sent;
}

bool CleartextRelay::SendPiece(const char* data, size_t len) {
  if (closing_ || write_failed_ || shutdown_sent_ || len == 0) return true;
  size_t done = 0;
  if (pending_writes_ == 0) {
    uv_buf_t b = uv_buf_init(const_cast<char*>(data), static_cast<unsigned int>(len));
    int n = uv_try_write(stream(), &b, 1);
    if (n > 0) {
      done = static_cast<size_t>(n);
    } else if (n != UV_EAGAIN && n != UV_ENOSYS) {
      // The other end is gone: nobody will read what follows.
      write_failed_ = true;
      return true;
    }
  }
  if (done == len) return true;
  auto req = std::make_unique<WriteReq>();
  req->bytes.assign(data + done, data + len);
  req->relay = this;
  req->req.data = req.get();
  uv_buf_t b = uv_buf_init(req->bytes.data(), static_cast<unsigned int>(req->bytes.size()));
  if (uv_write(&req->req, stream(), &b, 1, OnWrite) != 0) {
    write_failed_ = true;
    return true;
  }
  (void)req.release();  // libuv's until OnWrite
  ++pending_writes_;
  return false;
}

void CleartextRelay::OnWrite(uv_write_t* req, int status) noexcept {
  std::unique_ptr<WriteReq> owned(static_cast<WriteReq*>(req->data));
  CleartextRelay* self = owned->relay;
  --self->pending_writes_;
  if (self->closing_) return;
  if (status != 0) self->write_failed_ = true;
  if (self->pending_writes_ > 0) return;
  self->MaybeShutdown();
  if (self->link_ != nullptr) self->link_->RelayDrained();
}

void CleartextRelay::EndOutput() {
  end_requested_ = true;
  MaybeShutdown();
}

void CleartextRelay::MaybeShutdown() {
  if (!end_requested_ || shutdown_sent_ || closing_ || pending_writes_ > 0) return;
  shutdown_sent_ = true;
  auto req = std::make_unique<uv_shutdown_t>();
  req->data = this;
  if (uv_shutdown(req.get(), stream(), OnShutdown) != 0) return;
  (void)req.release();  // libuv's until OnShutdown
}

void CleartextRelay::OnShutdown(uv_shutdown_t* req, int /*status*/) noexcept {
  std::unique_ptr<uv_shutdown_t> owned(req);
}

void CleartextRelay::OnAlloc(uv_handle_t* /*handle*/, size_t /*suggested*/, uv_buf_t* buf) noexcept {
  *buf = uv_buf_init(RelaySlab(), kReadSize);
}

void CleartextRelay::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept {
  auto* self = static_cast<CleartextRelay*>(stream->data);
  if (self->closing_ || self->link_ == nullptr || nread == 0) return;
  if (nread < 0) {
    // EOF, or the other end closed with our cleartext unread (ECONNRESET): either
    // way nothing more comes from it.
    self->ReadStop();
    self->input_ended_ = true;
    self->link_->RelayEnded();
    return;
  }
  self->link_->RelayInput(buf->base, static_cast<size_t>(nread));
}

void CleartextRelay::ReadStart() {
  if (reading_ || closing_ || input_ended_) return;
  if (uv_read_start(stream(), OnAlloc, OnRead) == 0) reading_ = true;
}

void CleartextRelay::ReadStop() {
  if (!reading_) return;
  uv_read_stop(stream());
  reading_ = false;
}

void CleartextRelay::Close() {
  if (closing_) return;
  closing_ = true;
  link_ = nullptr;
  ReadStop();
  uv_close(reinterpret_cast<uv_handle_t*>(&pipe_), OnClose);
}

void CleartextRelay::OnClose(uv_handle_t* handle) noexcept {
  // Queued writes and the shutdown have had their (cancelled) callbacks by now.
  std::unique_ptr<CleartextRelay> owned(static_cast<CleartextRelay*>(handle->data));
}

}  // namespace otls

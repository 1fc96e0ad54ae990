// TcpLink: reads into the engine, writes from it, and tells its owner only
// what JS must see (transport/tcp_link.h).
#include "transport/tcp_link.h"

#include <openssl/err.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "core/narrow.h"
#include "core/ossl.h"

namespace otls {

namespace {

// Encrypted input is read here, on the loop's thread, and fed to the engine at once.
constexpr size_t kReadSize = size_t{64} * 1024;
char* ReadSlab() {
  thread_local std::vector<char> slab(kReadSize);
  return slab.data();
}

// uv_write of len bytes: libuv takes a buffer's length as an unsigned int, so
// more than that many go in as many buffers as they need.
int WriteAll(uv_write_t* req, uv_stream_t* stream, char* data, size_t len, uv_write_cb cb) {
  constexpr size_t kMaxBuf = std::numeric_limits<unsigned int>::max();
  if (len <= kMaxBuf) {
    uv_buf_t b = uv_buf_init(data, static_cast<unsigned int>(len));
    return uv_write(req, stream, &b, 1, cb);
  }
  std::vector<uv_buf_t> bufs;
  for (size_t offset = 0; offset < len; offset += kMaxBuf) {
    bufs.push_back(uv_buf_init(data + offset, static_cast<unsigned int>(std::min(kMaxBuf, len - offset))));
  }
  return uv_write(req, stream, bufs.data(), SaturatedCast<unsigned int>(bufs.size()), cb);  // libuv copies bufs
}

}  // namespace

// A write libuv could not finish at once: it owns the bytes until the callback.
struct TcpLink::WriteReq {
  uv_write_t req{};
  std::vector<char> bytes;
  TcpLink* link = nullptr;
};

bool TcpLink::InitHandles(uv_loop_t* loop, bool pipe, int* error) {
  pipe_ = pipe;
  *error = pipe ? uv_pipe_init(loop, &handle_.pipe, 0) : uv_tcp_init(loop, &handle_.tcp);
  if (*error != 0) return false;
  stream()->data = this;
  open_handles_ = 1;
  if (uv_timer_init(loop, &deferred_) == 0) {
    deferred_.data = this;
    has_timer_ = true;
    ++open_handles_;
  }
  started_at_ = uv_now(loop);
  return true;
}

TcpLink* TcpLink::Accept(uv_stream_t* server, int* error) {
  auto link = std::make_unique<TcpLink>();
  if (!link->InitHandles(server->loop, false, error)) return nullptr;
  *error = uv_accept(server, link->stream());
  if (*error != 0) {
    // The handle is initialised: only libuv's close callback may free the link.
    link.release()->Close();
    return nullptr;
  }
  return link.release();
}

TcpLink* TcpLink::Open(uv_loop_t* loop, int fd, bool pipe, int* error) {
  int copy = dup(fd);
  if (copy < 0) {
    *error = uv_translate_sys_error(errno);
    return nullptr;
  }
  auto link = std::make_unique<TcpLink>();
  if (!link->InitHandles(loop, pipe, error)) {
    close(copy);
    return nullptr;
  }
  *error = pipe ? uv_pipe_open(&link->handle_.pipe, copy) : uv_tcp_open(&link->handle_.tcp, copy);
  if (*error != 0) {
    close(copy);  // not the handle's yet: uv_close leaves it open
    link.release()->Close();
    return nullptr;
  }
  return link.release();
}

void TcpLink::Start(std::unique_ptr<TlsEngine> engine, LinkOwner* owner) {
  engine_ = std::move(engine);
  owner_ = owner;
  ReadStart();
}

bool TcpLink::Interesting(const Cycle& cycle) {
  return cycle.status != 0 || cycle.cleartext > 0 || !cycle.outputs.empty() || !cycle.early_data.empty();
}

void TcpLink::Report(Cycle* cycle, uint32_t link_status, int uv_error, const char* syscall) {
  if (closing_ || owner_ == nullptr) return;
  if (step_.in_flight()) {
    // The owner may hand the engine to JS: it hears once the step is back. (Only
    // events with no cycle of their own arrive now: writes, shutdown, timeouts.)
    Defer(link_status, uv_error, syscall);
    return;
  }
  owner_->OnLinkCycle(this, cycle, link_status, uv_error, syscall);
}

void TcpLink::Defer(uint32_t link_status, int uv_error, const char* syscall) {
  if (closing_) return;
  deferred_status_ |= link_status;
  if (uv_error != 0 && deferred_error_ == 0) {
    deferred_error_ = uv_error;
    deferred_syscall_ = syscall;
  }
  if (has_timer_ && !step_.in_flight()) uv_timer_start(&deferred_, OnDeferred, 0, 0);
}

void TcpLink::OnDeferred(uv_timer_t* timer) noexcept {
  auto* self = static_cast<TcpLink*>(timer->data);
  if (self->step_.in_flight()) return;  // OnStepDone starts the timer again
  const uint32_t status = std::exchange(self->deferred_status_, 0u);
  const int err = std::exchange(self->deferred_error_, 0);
  const char* syscall = std::exchange(self->deferred_syscall_, nullptr);
  if (status == 0 || self->closing_) return;
  Cycle cycle;
  self->Report(&cycle, status, err, syscall);
}

void TcpLink::OnAlloc(uv_handle_t* /*handle*/, size_t /*suggested*/, uv_buf_t* buf) noexcept {
  *buf = uv_buf_init(ReadSlab(), kReadSize);
}

void TcpLink::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept {
  auto* self = static_cast<TcpLink*>(stream->data);
  if (self->closing_ || nread == 0) return;
  ClearErrorOnReturn clear;
  Cycle cycle;
  if (nread < 0) {
    self->ReadStop();
    self->read_ended_ = true;
    if (self->relay_ != nullptr) self->relay_->EndOutput();
    if (nread == UV_EOF) {
      self->Report(&cycle, kTransportEnd);
    } else {
      self->Report(&cycle, kTransportError, SaturatedCast<int>(nread), "read");  // a libuv error code
    }
    return;
  }
  self->bytes_read_ += static_cast<uint64_t>(nread);
  TlsEngine* engine = self->engine_.get();
  if (engine == nullptr) return;
  // The read slab is lent to the engine until what it has not read is kept (below).
  if (!engine->Lend(reinterpret_cast<const unsigned char*>(buf->base), static_cast<size_t>(nread), &cycle)) {
    self->AfterInput(&cycle);
    return;
  }
  if (self->offload_ && engine->NeedsHandshakeStep()) {
    if (!engine->KeepInput(&cycle)) {
      self->AfterInput(&cycle);
      return;
    }
    if (self->QueueStep()) return;
  }
  // The sink's records live until the read is reported (AfterInput): released then.
  // A relay takes the cleartext from the read buffer.
  RecordSink* sink = self->owner_ != nullptr && self->relay_ == nullptr ? self->owner_->InputSink() : nullptr;
  engine->Advance(&cycle, sink);
  if (self->relay_ != nullptr) self->RelayCleartext(&cycle);
  engine->KeepInput(&cycle);
  self->AfterInput(&cycle);
  if (sink != nullptr) sink->Release();
}

void TcpLink::AfterInput(Cycle* cycle) {
  TlsEngine* engine = engine_.get();
  engine->Collect(cycle);
  // Some output waits for JS (JsFirst): the owner sends it once JS has seen it.
  if (!JsFirst(*engine, *cycle)) Flush();
  // The owner may close the link or free the engine: nothing after this call.
  if (Interesting(*cycle)) Report(cycle, 0);
}

bool TcpLink::QueueStep() {
  // The engine moves into the step: until it is back, engine_ is null and
  // nothing here can touch it.
  if (!step_.Start(stream()->loop, &engine_, this)) return false;
  // Input waits in the socket until the step is back.
  ReadStop();
  return true;
}

void TcpLink::OnStepDone(std::unique_ptr<TlsEngine> engine, Cycle* step_cycle) noexcept {
  // A link that closed meanwhile abandoned the step: it never hears of it.
  engine_ = std::move(engine);
  ClearErrorOnReturn clear;
  Cycle cycle = std::move(*step_cycle);
  // Done: what came with the client's last flight is read here, on the loop.
  if (engine_->handshake_done() && (cycle.status & kError) == 0) engine_->Advance(&cycle);
  if (deferred_status_ != 0 && has_timer_) uv_timer_start(&deferred_, OnDeferred, 0, 0);
  ReadStart();
  AfterInput(&cycle);
}

void TcpLink::Flush() {
  if (closing_ || !engine_ || holds_ > 0 || write_failed_) return;
  const char* data = nullptr;
  size_t len = engine_->PeekOutput(&data);
  if (len == 0) return;
  size_t done = 0;
  if (pending_writes_ == 0) {
    // (One buffer's worth at most: the rest, if any, is queued below.)
    uv_buf_t b = uv_buf_init(const_cast<char*>(data), SaturatedCast<unsigned int>(len));
    int n = uv_try_write(stream(), &b, 1);
    if (n > 0) {
      done = static_cast<size_t>(n);
    } else if (n != UV_EAGAIN && n != UV_ENOSYS) {
      write_failed_ = true;
      engine_->ClearOutput();
      Defer(kTransportError, n, "write");
      return;
    }
  }
  bytes_written_ += len;
  if (done == len) {
    engine_->ClearOutput();
    // The handshake's flights are out: what they grew the queues to goes back.
    if (!queues_released_ && engine_->handshake_done()) {
      queues_released_ = true;
      engine_->ReleaseQueues();
    }
    if (notify_flushed_ && pending_writes_ == 0) {
      notify_flushed_ = false;
      Defer(kWritesDone);
    }
    if (relay_ != nullptr && pending_writes_ == 0) relay_->ReadStart();
    return;
  }
  // The rest waits in libuv's queue, in bytes of its own.
  auto req = std::make_unique<WriteReq>();
  req->bytes.assign(data + done, data + len);
  engine_->ClearOutput();
  req->link = this;
  req->req.data = req.get();
  int err = WriteAll(&req->req, stream(), req->bytes.data(), req->bytes.size(), OnWrite);
  if (err != 0) {
    write_failed_ = true;
    Defer(kTransportError, err, "write");
    return;
  }
  (void)req.release();  // libuv's until OnWrite
  ++pending_writes_;
}

void TcpLink::OnWrite(uv_write_t* req, int status) noexcept {
  std::unique_ptr<WriteReq> owned(static_cast<WriteReq*>(req->data));
  TcpLink* self = owned->link;
  --self->pending_writes_;
  if (self->closing_) return;
  Cycle cycle;
  if (status != 0) {
    if (!self->write_failed_) {
      self->write_failed_ = true;
      self->Report(&cycle, kTransportError, status, "write");
    }
    return;
  }
  if (self->pending_writes_ == 0) {
    self->notify_flushed_ = false;
    // The relay waits for the socket: it may read again (the report may close the link).
    if (self->relay_ != nullptr && !self->output_held()) self->relay_->ReadStart();
    self->Report(&cycle, kWritesDone);
  }
}

bool TcpLink::output_held() const {
  const char* data = nullptr;
  return holds_ > 0 && engine_ && engine_->PeekOutput(&data) > 0;
}

void TcpLink::Release() {
  if (holds_ > 0) --holds_;
  if (holds_ > 0) return;
  Flush();
  if (shutdown_after_release_) {
    shutdown_after_release_ = false;
    shutdown_requested_ = false;
    Shutdown();
  }
}

void TcpLink::ReadStart() {
  if (reading_ || closing_) return;
  if (uv_read_start(stream(), OnAlloc, OnRead) == 0) reading_ = true;
}

void TcpLink::ReadStop() {
  if (!reading_) return;
  uv_read_stop(stream());
  reading_ = false;
}

void TcpLink::Shutdown() {
  if (closing_ || shutdown_requested_) return;
  shutdown_requested_ = true;
  // Held output (newSession) goes first: FIN after it.
  if (holds_ > 0) {
    shutdown_after_release_ = true;
    return;
  }
  Flush();
  auto req = std::make_unique<uv_shutdown_t>();
  req->data = this;
  if (uv_shutdown(req.get(), stream(), OnShutdown) != 0) {
    Defer(kShutdownDone);
    return;
  }
  (void)req.release();  // libuv's until OnShutdown
}

void TcpLink::OnShutdown(uv_shutdown_t* req, int /*status*/) noexcept {
  std::unique_ptr<uv_shutdown_t> owned(req);
  auto* self = static_cast<TcpLink*>(req->data);
  if (self->closing_) return;
  Cycle cycle;
  self->Report(&cycle, kShutdownDone);
}

void TcpLink::Close() {
  if (closing_) return;
  closing_ = true;
  owner_ = nullptr;
  // A step on the pool has the engine: it frees it once it is back.
  step_.Abandon();
  engine_.reset();
  ReadStop();
  if (relay_ != nullptr) std::exchange(relay_, nullptr)->Close();
  uv_close(handle(), OnClose);
  if (has_timer_) uv_close(reinterpret_cast<uv_handle_t*>(&deferred_), OnClose);
}

void TcpLink::OnClose(uv_handle_t* handle) noexcept {
  // Pending writes and the shutdown have had their (cancelled) callbacks by now.
  auto* self = static_cast<TcpLink*>(handle->data);
  if (--self->open_handles_ == 0) std::unique_ptr<TcpLink> owned(self);
}

int TcpLink::Fileno() const {
  uv_os_fd_t fd = -1;
  if (uv_fileno(reinterpret_cast<const uv_handle_t*>(&handle_), &fd) != 0) return -1;
  return fd;
}

int TcpLink::PeerName(sockaddr_storage* out) const {
  if (pipe_) return UV_ENOTSUP;  // as net.Socket over a pipe: no address
  int len = sizeof(*out);
  return uv_tcp_getpeername(&handle_.tcp, reinterpret_cast<sockaddr*>(out), &len);
}

int TcpLink::SockName(sockaddr_storage* out) const {
  if (pipe_) return UV_ENOTSUP;
  int len = sizeof(*out);
  return uv_tcp_getsockname(&handle_.tcp, reinterpret_cast<sockaddr*>(out), &len);
}

int TcpLink::StartRelay(int own_fd, const Chunk* first, size_t count, int* error) {
  if (relay_ != nullptr || closing_ || !engine_) {
    if (own_fd >= 0) close(own_fd);
    *error = UV_EINVAL;
    return -1;
  }
  int fd = -1;
  if (own_fd < 0) {
    int fds[2] = {-1, -1};
    if (!CleartextRelay::SocketPair(fds, error)) return -1;
    own_fd = fds[0];
    fd = fds[1];
  }
  relay_ = CleartextRelay::Open(stream()->loop, this, own_fd, error);
  if (relay_ == nullptr) {
    if (fd >= 0) close(fd);
    return -1;
  }
  relay_->SetRef(uv_has_ref(handle()) != 0);
  bool blocked = false;
  for (size_t i = 0; i < count; ++i) {
    blocked = !relay_->Send(reinterpret_cast<const char*>(first[i].data), first[i].len) || blocked;
  }
  // The peer may have ended already (FIN, or close_notify, which JS has been told of).
  if (read_ended_ || (SSL_get_shutdown(engine_->ssl()) & SSL_RECEIVED_SHUTDOWN) != 0) relay_->EndOutput();
  if (!writes_pending() && !output_held()) relay_->ReadStart();
  // Reading is the relay's to start and stop from now on.
  if (blocked) {
    ReadStop();
  } else if (!read_ended_) {
    ReadStart();
  }
  return fd;
}

void TcpLink::RelayCleartext(Cycle* cycle) {
  if (cycle->cleartext > 0) {
    const auto* data = reinterpret_cast<const char*>(ReadBuffer().data());
    // The pair is full: the socket waits until it has room (RelayDrained).
    if (!relay_->Send(data, cycle->cleartext)) ReadStop();
  }
  cycle->cleartext = 0;
  cycle->record_ends.clear();
  if ((cycle->status & kPeerClosed) != 0) relay_->EndOutput();
}

void TcpLink::RelayInput(const char* data, size_t len) noexcept {
  TlsEngine* engine = engine_.get();
  if (closing_ || engine == nullptr) return;
  ClearErrorOnReturn clear;
  const Chunk chunk{reinterpret_cast<const unsigned char*>(data), len};
  Cycle cycle;
  engine->Write(&chunk, 1, &cycle);
  engine->Collect(&cycle);
  Flush();
  // The socket is full (or output is held): the relay waits until it has gone.
  if (relay_ != nullptr && (writes_pending() || output_held())) relay_->ReadStop();
  // The owner may close the link: nothing after this call.
  if (Interesting(cycle)) Report(&cycle, 0);
}

void TcpLink::RelayEnded() noexcept {
  Cycle cycle;
  Report(&cycle, kRelayEnd);
}

void TcpLink::RelayDrained() noexcept {
  if (!read_ended_) ReadStart();
}

void TcpLink::ReportHandshakeTimeout() {
  Cycle cycle;
  Report(&cycle, kHandshakeTimeout);
}

}  // namespace otls

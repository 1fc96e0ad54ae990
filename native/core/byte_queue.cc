// The engine's byte-queue BIOs (core/byte_queue.h).
#include "core/byte_queue.h"

#include <algorithm>
#include <climits>
#include <iterator>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace otls {

namespace {

// What a connection keeps after a burst; bigger buffers go back.
constexpr size_t kKeepCapacity = size_t{64} * 1024;
// The largest buffer a thread keeps as its spare.
constexpr size_t kMaxSpareCapacity = size_t{256} * 1024;

std::vector<char>& Spare() {
  thread_local std::vector<char> spare;
  return spare;
}

}  // namespace

bool ByteQueue::Lend(const char* p, size_t n) noexcept {
  if (!Keep()) return false;
  if (n > 0) {
    lent_ = p;
    lent_size_ = n;
  }
  return true;
}

bool ByteQueue::Keep() noexcept {
  if (lent_size_ == 0) return true;
  const char* p = std::exchange(lent_, nullptr);
  return AppendOwn(p, std::exchange(lent_size_, 0));
}

bool ByteQueue::Append(const char* p, size_t n) noexcept { return Keep() && AppendOwn(p, n); }

bool ByteQueue::AppendOwn(const char* p, size_t n) noexcept {
  try {
    if (start_ == bytes_.size()) {
      ClearOwn();
    } else if (start_ >= bytes_.size() - start_) {
      // What is left (a partial record, say) moves to the front, so a queue
      // that is never quite empty does not grow without end.
      bytes_.erase(bytes_.begin(), std::next(bytes_.begin(), static_cast<std::ptrdiff_t>(start_)));
      start_ = 0;
    }
    if (bytes_.size() + n > bytes_.capacity()) GrowFromSpare(own() + n);
    bytes_.insert(bytes_.end(), p, p + n);
    return true;
  } catch (...) {
    return false;
  }
}

size_t ByteQueue::Peek(char* out, size_t n) const noexcept {
  const size_t from_own = std::min(n, own());
  std::copy_n(data(), from_own, out);
  const size_t from_lent = std::min(n - from_own, lent_size_);
  std::copy_n(lent_, from_lent, out + from_own);
  return from_own + from_lent;
}

size_t ByteQueue::Read(char* out, size_t n) noexcept {
  const size_t from_own = std::min(n, own());
  std::copy_n(data(), from_own, out);
  start_ += from_own;
  if (start_ == bytes_.size()) ClearOwn();
  const size_t from_lent = std::min(n - from_own, lent_size_);
  if (from_lent > 0) {
    std::copy_n(lent_, from_lent, out + from_own);
    lent_ += from_lent;
    lent_size_ -= from_lent;
  }
  return from_own + from_lent;
}

void ByteQueue::Clear() noexcept {
  lent_ = nullptr;
  lent_size_ = 0;
  ClearOwn();
}

void ByteQueue::Release() noexcept {
  if (size() != 0) return;
  std::vector<char>().swap(bytes_);
  start_ = 0;
}

void ByteQueue::ClearOwn() noexcept {
  bytes_.clear();
  start_ = 0;
  // A burst (bulk writes) leaves a big buffer behind: the connection gives it
  // back, to this thread's spare when it fits there, so the next burst on any
  // connection grows into it instead of copying its way up again.
  const size_t cap = bytes_.capacity();
  if (cap <= kKeepCapacity) return;
  std::vector<char>& spare = Spare();
  if (cap <= kMaxSpareCapacity && cap > spare.capacity()) bytes_.swap(spare);
  std::vector<char>().swap(bytes_);
}

void ByteQueue::GrowFromSpare(size_t need) {
  std::vector<char>& spare = Spare();
  if (spare.capacity() < need) return;
  spare.assign(std::next(bytes_.begin(), static_cast<std::ptrdiff_t>(start_)), bytes_.end());
  start_ = 0;
  bytes_.swap(spare);
  std::vector<char>().swap(spare);
}

namespace {

int QueueWrite(BIO* bio, const char* data, size_t len, size_t* written) {
  ByteQueue* queue = QueueOf(bio);
  BIO_clear_retry_flags(bio);
  if (queue == nullptr || !queue->Append(data, len)) return 0;
  *written = len;
  return 1;
}

int QueueRead(BIO* bio, char* data, size_t len, size_t* read) {
  ByteQueue* queue = QueueOf(bio);
  BIO_clear_retry_flags(bio);
  if (queue == nullptr || queue->size() == 0) {
    BIO_set_retry_read(bio);
    return 0;
  }
  *read = queue->Read(data, len);
  return 1;
}

long QueueCtrl(BIO* bio, int cmd, long /*num*/, void* /*ptr*/) {
  ByteQueue* queue = QueueOf(bio);
  switch (cmd) {
    case BIO_CTRL_PENDING:
      return queue == nullptr ? 0 : static_cast<long>(std::min<size_t>(queue->size(), LONG_MAX));
    case BIO_CTRL_WPENDING:
      return 0;
    case BIO_CTRL_RESET:
      if (queue != nullptr) queue->Clear();
      return 1;
    case BIO_CTRL_EOF:
      return queue == nullptr || queue->size() == 0 ? 1 : 0;
    case BIO_CTRL_FLUSH:
      return 1;
    default:
      return 0;
  }
}

int QueueCreate(BIO* bio) {
  try {
    auto queue = std::make_unique<ByteQueue>();
    BIO_set_data(bio, queue.release());  // the BIO's until QueueDestroy
  } catch (const std::bad_alloc&) {
    return 0;
  }
  BIO_set_init(bio, 1);
  return 1;
}

int QueueDestroy(BIO* bio) {
  std::unique_ptr<ByteQueue> owned(QueueOf(bio));
  BIO_set_data(bio, nullptr);
  return 1;
}

// Made once, kept for the life of the process.
const BIO_METHOD* QueueBioMethod() {
  static const BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "openssl-tls byte queue");
    if (m != nullptr) {
      BIO_meth_set_write_ex(m, QueueWrite);
      BIO_meth_set_read_ex(m, QueueRead);
      BIO_meth_set_ctrl(m, QueueCtrl);
      BIO_meth_set_create(m, QueueCreate);
      BIO_meth_set_destroy(m, QueueDestroy);
    }
    return m;
  }();
  return method;
}

}  // namespace

BIO* NewQueueBio() {
  const BIO_METHOD* method = QueueBioMethod();
  return method == nullptr ? nullptr : BIO_new(method);
}

ByteQueue* QueueOf(BIO* bio) { return static_cast<ByteQueue*>(BIO_get_data(bio)); }

}  // namespace otls

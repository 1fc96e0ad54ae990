// The per-thread decrypt buffers (core/read_buffer.h).
#include "core/read_buffer.h"

#include <deque>

namespace otls {

bool ReadBuf::Grow(size_t n, size_t keep) {
  if (n <= size_) return true;
  if (keep == 0) {
    // Nothing to keep: a fresh block, not realloc's copy of stale bytes.
    // (malloc and realloc on purpose: see MallocBytes.)
    bytes_.reset(static_cast<unsigned char*>(std::malloc(n)));  // NOLINT(cppcoreguidelines-owning-memory)
  } else {
    void* p = std::realloc(bytes_.get(), n);  // NOLINT(cppcoreguidelines-owning-memory)
    if (p == nullptr) return false;
    (void)bytes_.release();  // realloc freed or kept it: p owns it now
    bytes_.reset(static_cast<unsigned char*>(p));
  }
  size_ = bytes_ ? n : 0;
  return size_ != 0;
}

size_t& JsCallbackDepth() {
  thread_local size_t depth = 0;
  return depth;
}

ReadBuf& ReadBuffer() {
  thread_local std::deque<ReadBuf> buffers;
  const size_t depth = JsCallbackDepth();
  while (buffers.size() <= depth) buffers.emplace_back();
  return buffers[depth];
}

}  // namespace otls

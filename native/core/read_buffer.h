// Where cleartext is decrypted: one buffer per thread, shared by every
// connection on it (uSockets' habit). A call's cleartext is the first bytes of
// the buffer; the binding copies them out, a Buffer per record (V8 manages those,
// and a scavenge frees them).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>

namespace otls {

// Memory from malloc, owned: grown in place by realloc.
struct FreeDeleter {
  void operator()(unsigned char* p) const noexcept { std::free(p); }  // NOLINT(cppcoreguidelines-owning-memory)
};
using MallocBytes = std::unique_ptr<unsigned char, FreeDeleter>;

// A decrypt buffer: grows without zero-filling.
class ReadBuf {
 public:
  unsigned char* data() const { return bytes_.get(); }
  size_t size() const { return size_; }
  // At least n bytes, keeping the first `keep`; false when memory ran out.
  bool Grow(size_t n, size_t keep);

 private:
  MallocBytes bytes_;
  size_t size_ = 0;
};

// The read buffer of this thread: one per nesting level of driver callbacks
// running inside OpenSSL (PSK), since the interrupted call may still be
// reading into the outer one.
ReadBuf& ReadBuffer();

// How deeply driver callbacks run inside OpenSSL on this thread (PSK); the
// driver counts them (JS runs there).
size_t& JsCallbackDepth();

}  // namespace otls

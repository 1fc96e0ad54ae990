// The engine's two BIOs are byte queues: a BIO type of our own over a growable
// buffer. Output: what OpenSSL writes is appended, and the driver reads it out
// (JS transport) or sends it in place and then drops it (native transport). A
// memory BIO cannot forget its bytes without wiping its whole buffer or
// copying them out. Input: the driver's bytes are appended and OpenSSL reads
// them out; empty means "retry", never end of file. A memory BIO grows by
// BUF_MEM_grow_clean, which copies and wipes its whole buffer on every growth
// (a fifth of a bulk read's instructions).
#pragma once

#include <openssl/bio.h>

#include <cstddef>
#include <vector>

namespace otls {

class ByteQueue {
 public:
  // The queue's own bytes: all of them unless some are lent (an output queue's never are).
  const char* data() const { return bytes_.data() + start_; }
  size_t size() const { return own() + lent_size_; }
  // Copies the first bytes (at most n) to out, reading nothing; how many.
  size_t Peek(char* out, size_t n) const noexcept;
  // False when memory ran out (nothing appended).
  bool Append(const char* p, size_t n) noexcept;
  // n bytes at p, after the queue's own, read in place, not copied: the caller
  // keeps them alive and unchanged until Keep().
  bool Lend(const char* p, size_t n) noexcept;
  // What is left of lent bytes, copied into the queue's own buffer; false when
  // memory ran out (they are dropped).
  bool Keep() noexcept;
  // Up to n bytes into out; how many.
  size_t Read(char* out, size_t n) noexcept;
  // Drops every byte; a big buffer goes back (to this thread's spare when it fits).
  void Clear() noexcept;
  // An empty queue frees its buffer, whatever its size (the next bytes grow a new one).
  void Release() noexcept;

 private:
  size_t own() const { return bytes_.size() - start_; }
  bool AppendOwn(const char* p, size_t n) noexcept;
  void ClearOwn() noexcept;

  // Before a growth: this thread's spare, if it is big enough, takes the bytes.
  void GrowFromSpare(size_t need);

  std::vector<char> bytes_;
  size_t start_ = 0;
  // Lent bytes not read yet: they come after the queue's own.
  const char* lent_ = nullptr;
  size_t lent_size_ = 0;
};

// A new BIO over an empty ByteQueue (null when out of memory); BIO_free frees both.
BIO* NewQueueBio();

// The queue of a BIO made by NewQueueBio (null once it is being freed).
ByteQueue* QueueOf(BIO* bio);

}  // namespace otls

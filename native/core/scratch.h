// Per-thread scratch bytes for a write: the cleartext a write gathers into one
// record, the strings JS hands over to be encoded. Each use borrows its thread's
// buffer, empty with its capacity kept, so a write allocates nothing once the
// buffer has grown; the lease gives it back. A use nested inside another of the
// same kind (JS run from inside OpenSSL writing again) finds the slot lent out
// and gets a fresh buffer of its own.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

namespace otls {

// Which buffer: a write's staged record bytes, or its encoded strings (both held at once).
enum class ScratchSlot { kStaged, kStrings };

template <ScratchSlot kSlot>
class ScratchLease {
 public:
  ScratchLease() {
    Held& held = Slot();
    if (held.lent) {
      nested_ = true;  // the slot's buffer is with the outer use
      return;
    }
    held.lent = true;
    bytes_ = std::move(held.bytes);
    bytes_.clear();
  }
  ~ScratchLease() {
    if (nested_) return;
    // A buffer grown for one large write is not kept for every later one.
    if (bytes_.capacity() > kKeepAtMost) bytes_ = std::string();
    Held& held = Slot();
    held.bytes = std::move(bytes_);
    held.lent = false;
  }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  ScratchLease(ScratchLease&&) = delete;
  ScratchLease& operator=(ScratchLease&&) = delete;

  std::string& bytes() { return bytes_; }

 private:
  static constexpr size_t kKeepAtMost = size_t{64} * 1024;
  struct Held {
    std::string bytes;
    bool lent = false;
  };
  static Held& Slot() {
    thread_local Held held;
    return held;
  }

  std::string bytes_;
  bool nested_ = false;
};

}  // namespace otls

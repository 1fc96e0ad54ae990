// conn.write(utf8, ...chunks): cleartext from JS to the engine. Buffers are
// read where they are; strings are encoded here (UTF-8 when `utf8`, else
// latin1) into this thread's scratch bytes, so a string written becomes no
// Buffer in JS (node's HTTP headers are latin1 strings). The chunks are passed as
// arguments, not in an array: no property read per chunk. All are checked and
// measured before any is written.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "binding/connection.h"
#include "binding/errors.h"
#include "core/scratch.h"

namespace otls {

namespace {

// Room for this many chunks without a heap allocation (node's HTTP writes three).
constexpr size_t kInline = 8;
constexpr size_t kNotString = SIZE_MAX;
// Where an empty chunk points (a zero-length Buffer may have no memory at all).
constexpr unsigned char kNoBytes[1] = {0};

// A string's bytes in UTF-8 or latin1: into `buf` (size bytes with room for N-API's
// NUL), or only measured when `buf` is null; `len` gets how many.
napi_status StringBytes(napi_env env, napi_value v, bool utf8, char* buf, size_t size, size_t* len) {
  return utf8 ? napi_get_value_string_utf8(env, v, buf, size, len)
              : napi_get_value_string_latin1(env, v, buf, size, len);
}

// A write's chunks: where each one's bytes are, and for a string, where in the
// scratch bytes it goes once every string is measured.
class Gathered {
 public:
  explicit Gathered(size_t count) : count_(count) {
    if (count > kInline) {
      more_chunks_.resize(count);
      more_offsets_.resize(count);
      chunks_ = more_chunks_.data();
      offsets_ = more_offsets_.data();
    }
  }
  Gathered(const Gathered&) = delete;
  Gathered& operator=(const Gathered&) = delete;
  Gathered(Gathered&&) = delete;
  Gathered& operator=(Gathered&&) = delete;
  ~Gathered() = default;

  // Measures chunk i; false when it is neither a Buffer nor a string.
  bool Measure(napi_env env, size_t i, napi_value v, bool utf8) {
    void* data = nullptr;
    size_t len = 0;
    bool is_buffer = false;
    if (napi_is_buffer(env, v, &is_buffer) == napi_ok && is_buffer &&
        napi_get_buffer_info(env, v, &data, &len) == napi_ok) {
      chunks_[i] = Chunk{len == 0 ? kNoBytes : static_cast<const unsigned char*>(data), len};
      offsets_[i] = kNotString;
      return true;
    }
    if (StringBytes(env, v, utf8, nullptr, 0, &len) != napi_ok) return false;
    if (len == 0) {
      chunks_[i] = Chunk{kNoBytes, 0};
      offsets_[i] = kNotString;
      return true;
    }
    chunks_[i] = Chunk{nullptr, len};
    offsets_[i] = string_bytes_;
    string_bytes_ += len;
    return true;
  }

  // Encodes every string into `scratch`; false if one no longer fits its measure.
  bool Encode(napi_env env, const Napi::CallbackInfo& info, bool utf8, std::string* scratch) {
    // (+1: N-API ends each string with a NUL, which the next one overwrites.)
    scratch->resize(string_bytes_ + 1);
    for (size_t i = 0; i < count_; ++i) {
      if (offsets_[i] == kNotString) continue;
      char* at = scratch->data() + offsets_[i];
      const size_t len = chunks_[i].len;
      size_t copied = 0;
      if (StringBytes(env, info[i + 1], utf8, at, len + 1, &copied) != napi_ok || copied != len) return false;
      chunks_[i].data = reinterpret_cast<const unsigned char*>(at);
    }
    return true;
  }

  bool has_strings() const { return string_bytes_ > 0; }
  const Chunk* chunks() const { return chunks_; }

 private:
  size_t count_;
  std::array<Chunk, kInline> inline_chunks_{};
  std::array<size_t, kInline> inline_offsets_{};
  std::vector<Chunk> more_chunks_;
  std::vector<size_t> more_offsets_;
  Chunk* chunks_ = inline_chunks_.data();
  size_t* offsets_ = inline_offsets_.data();
  size_t string_bytes_ = 0;
};

}  // namespace

Napi::Value Connection::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBoolean()) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"utf8\" argument must be of type boolean");
  }
  const bool utf8 = info[0].As<Napi::Boolean>().Value();
  const size_t count = info.Length() - 1;
  Gathered gathered(count);
  for (size_t i = 0; i < count; ++i) {
    if (!gathered.Measure(env, i, info[i + 1], utf8)) {
      throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "Each chunk must be of type Buffer or string");
    }
  }
  ScratchLease<ScratchSlot::kStrings> lease;
  if (gathered.has_strings() && !gathered.Encode(env, info, utf8, &lease.bytes())) {
    throw CodedError(env, "ERR_INVALID_STATE", "A string changed length while it was written");
  }
  Cycle cycle;
  engine()->Write(gathered.chunks(), count, &cycle);
  return WriteResult(env, &cycle);
}

}  // namespace otls

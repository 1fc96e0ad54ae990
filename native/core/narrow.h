// Narrowing between integer types, checked. A size goes from one API into
// another's narrower type in a few places (size_t into OpenSSL's int, unsigned
// int or long, libuv's unsigned int, N-API's uint32_t); every such place says
// what happens when it does not fit, through one of these, instead of a
// static_cast that would silently cut it.
#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>

namespace otls {

// True when `value` is representable in To.
template <typename To, typename From>
constexpr bool FitsIn(From value) noexcept {
  static_assert(std::is_integral_v<To> && std::is_integral_v<From>, "integers only");
  if constexpr (std::is_signed_v<From>) {
    if (value < 0) {
      if constexpr (std::is_unsigned_v<To>) {
        return false;
      } else {
        return static_cast<intmax_t>(value) >= static_cast<intmax_t>(std::numeric_limits<To>::min());
      }
    }
  }
  return static_cast<uintmax_t>(value) <= static_cast<uintmax_t>(std::numeric_limits<To>::max());
}

// `value` as To, or the end of To's range it is beyond: a length too long for
// an API stays too long for it (the API then refuses it with its own error).
template <typename To, typename From>
constexpr To SaturatedCast(From value) noexcept {
  if (FitsIn<To>(value)) return static_cast<To>(value);
  if constexpr (std::is_signed_v<From>) {
    if (value < 0) return std::numeric_limits<To>::min();
  }
  return std::numeric_limits<To>::max();
}

}  // namespace otls

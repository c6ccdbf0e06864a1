// common/clock.hpp — wall-clock and id helpers shared by the engine and the store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace famulor::detail {

// Unix time in milliseconds (system clock).
std::int64_t now_ms() noexcept;

// A new run id: 26 characters, time-ordered (ULID-style Crockford base32: 48 bits
// of unix ms + 80 random bits), so ids sort by creation time.
std::string new_run_id();

// Reads exactly `n` decimal digits of `s` at `at` into `out` (for ISO 8601 date
// and time fields); false when they are not all there or not all digits.
inline bool fixed_digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[at + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

}  // namespace famulor::detail

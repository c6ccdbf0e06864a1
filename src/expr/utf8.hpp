// expr/utf8.hpp — code-point counting and positioning in UTF-8 strings (the
// strings are valid UTF-8: Value guarantees it for parsed input).
//
// Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace famulor::expr::detail::utf8 {

// Bytes of the code point starting at s[i] (1 for a stray continuation byte).
inline std::size_t char_len(std::string_view s, std::size_t i) noexcept {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  return i + n <= s.size() ? n : s.size() - i;
}

// Number of code points.
inline std::size_t length(std::string_view s) noexcept {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Byte offset of code point `n` (s.size() when n is past the end).
inline std::size_t offset_of(std::string_view s, std::size_t n) noexcept {
  std::size_t i = 0;
  while (n > 0 && i < s.size()) {
    i += char_len(s, i);
    --n;
  }
  return i;
}

}  // namespace famulor::expr::detail::utf8

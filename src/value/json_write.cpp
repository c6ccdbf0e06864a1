// JSON writing: compact (dump/dump_to) and indented (pretty), RFC 8259 escaping.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "famulor/value.hpp"
#include "value/json.hpp"

namespace famulor {
namespace detail {

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

namespace {

// The first index >= i whose 8-byte word (read unaligned) holds a byte that may
// need escaping (< 0x20, '"', '\\', >= 0x80); the byte loop takes it from there.
std::size_t skip_plain8(std::string_view s, std::size_t i) noexcept {
#if defined(__SSE2__)
  // 16 bytes per step where SSE2 is there (every x86-64): transcripts are long.
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), below = _mm_set1_epi8(0x20);
  while (i + 16 <= s.size()) {
    __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    // Signed compare: bytes >= 0x80 are negative, so "< 0x20" catches them too.
    __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, quote), _mm_cmpeq_epi8(w, backslash)),
                                   _mm_cmplt_epi8(w, below));
    if (_mm_movemask_epi8(special) != 0) break;
    i += 16;
  }
#endif
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  while (i + 8 <= s.size()) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    std::uint64_t special = (w & kHigh) | ((w - kOnes * 0x20) & ~w & kHigh) |  // >= 0x80, < 0x20
                            has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\'));
    if (special) break;
    i += 8;
  }
  return i;
}

}  // namespace

void write_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    // Copy the run of bytes that need no escaping in one go (8 bytes per step
    // while none of them does: long texts such as transcripts are mostly plain).
    std::size_t run = skip_plain8(s, i);
    while (run < s.size()) {
      auto c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++run;
    }
    out.append(s.data() + i, run - i);
    i = run;
    if (i >= s.size()) break;
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      std::size_t n = utf8_sequence_length(s, i);
      if (n == 0) {
        out.append("\\ufffd");
        ++i;
      } else {
        out.append(s.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
    ++i;
  }
  out.push_back('"');
}

}  // namespace detail

namespace {

void write_double(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out.append("null");
    return;
  }
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, ptr);
}

void write_int(std::string& out, std::int64_t i) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, i);
  out.append(buf, ptr);
}

void newline(std::string& out, int indent, int level) {
  out.push_back('\n');
  out.append(static_cast<std::size_t>(indent) * static_cast<std::size_t>(level), ' ');
}

// indent < 0 means compact.
void write(const Value& v, std::string& out, int indent, int level) {
  switch (v.type()) {
    case Value::Type::null: out.append("null"); return;
    case Value::Type::boolean: out.append(v.as_bool() ? "true" : "false"); return;
    case Value::Type::integer: write_int(out, v.as_int()); return;
    case Value::Type::number:
      if (const NumberText* t = v.as_number_text()) {
        out.append(t->text);
      } else {
        write_double(out, v.as_double());
      }
      return;
    case Value::Type::string: detail::write_json_string(out, v.as_string()); return;
    case Value::Type::array: {
      const Array& a = v.as_array();
      out.push_back('[');
      bool first = true;
      for (const Value& item : a) {
        if (!first) out.push_back(',');
        first = false;
        if (indent >= 0) newline(out, indent, level + 1);
        write(item, out, indent, level + 1);
      }
      if (indent >= 0 && !a.empty()) newline(out, indent, level);
      out.push_back(']');
      return;
    }
    case Value::Type::object: {
      const Object& o = v.as_object();
      out.push_back('{');
      bool first = true;
      for (const auto& [key, item] : o) {
        if (!first) out.push_back(',');
        first = false;
        if (indent >= 0) newline(out, indent, level + 1);
        detail::write_json_string(out, key);
        out.append(indent >= 0 ? ": " : ":");
        write(item, out, indent, level + 1);
      }
      if (indent >= 0 && !o.empty()) newline(out, indent, level);
      out.push_back('}');
      return;
    }
  }
}

}  // namespace

void Value::dump_to(std::string& out) const { write(*this, out, -1, 0); }

std::string Value::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

std::string Value::pretty(int indent) const {
  std::string out;
  write(*this, out, indent < 0 ? 0 : indent, 0);
  return out;
}

}  // namespace famulor

// Strict JSON validator that locates the first error. It runs only after the fast
// (simdjson) parser has failed, so it favours precise messages over speed; it is
// iterative, so hostile nesting cannot overflow the stack.
#include <vector>

#include "value/json.hpp"

namespace famulor::detail {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "'x'" for a printable byte, else "byte 0xNN" (with "invalid UTF-8" when it is one).
std::string describe_byte(std::string_view text, std::size_t i) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto c = static_cast<unsigned char>(text[i]);
  if (c > 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
  std::string hex = std::string("byte 0x") + kHex[c >> 4] + kHex[c & 0xF];
  if (c >= 0x80 && utf8_sequence_length(text, i) == 0) return "invalid UTF-8 " + hex;
  return hex;
}

// End of the number starting at pos, or npos; *error_at gets the offending offset.
std::size_t scan_number(std::string_view s, std::size_t pos, std::size_t* error_at) {
  std::size_t i = pos;
  auto fail = [&](std::size_t at) {
    *error_at = at;
    return std::string_view::npos;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size() || !is_digit(s[i])) return fail(i);
  if (s[i] == '0') {
    ++i;
  } else {
    while (i < s.size() && is_digit(s[i])) ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i >= s.size() || !is_digit(s[i])) return fail(i);
    while (i < s.size() && is_digit(s[i])) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !is_digit(s[i])) return fail(i);
    while (i < s.size() && is_digit(s[i])) ++i;
  }
  return i;
}

// Reads 4 hex digits at s[i..i+4); -1 when they are not there.
int read_hex4(std::string_view s, std::size_t i) {
  if (i + 4 > s.size()) return -1;
  int v = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    int h = hex_value(s[i + k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

// End of the string whose opening quote is at pos, or npos with *err filled.
std::size_t scan_string(std::string_view s, std::size_t pos, JsonError* err) {
  std::size_t i = pos + 1;
  auto fail = [&](std::size_t at, std::string what) {
    err->offset = at;
    err->what = std::move(what);
    return std::string_view::npos;
  };
  while (true) {
    if (i >= s.size()) return fail(pos, "unterminated string");
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '"') return i + 1;
    if (c == '\\') {
      if (i + 1 >= s.size()) return fail(pos, "unterminated string");
      char e = s[i + 1];
      if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
        i += 2;
        continue;
      }
      if (e != 'u') return fail(i, std::string("invalid escape '\\") + (e >= 0x20 && e < 0x7F ? std::string(1, e) : "?") + "' in string");
      int cp = read_hex4(s, i + 2);
      if (cp < 0) return fail(i, "invalid \\u escape (expected 4 hex digits)");
      if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(i, "lone low surrogate in \\u escape");
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        int low = -1;
        if (i + 7 < s.size() && s[i + 6] == '\\' && s[i + 7] == 'u') low = read_hex4(s, i + 8);
        if (low < 0xDC00 || low > 0xDFFF) return fail(i, "lone high surrogate in \\u escape (no low surrogate follows)");
        i += 12;
        continue;
      }
      i += 6;
      continue;
    }
    if (c < 0x20) return fail(i, "unescaped control character in string");
    if (c >= 0x80) {
      std::size_t n = utf8_sequence_length(s, i);
      if (n == 0) return fail(i, "invalid UTF-8 in string");
      i += n;
      continue;
    }
    ++i;
  }
}

}  // namespace

bool is_json_number(std::string_view token) noexcept {
  std::size_t error_at = 0;
  return !token.empty() && scan_number(token, 0, &error_at) == token.size();
}

std::optional<JsonError> find_json_error(std::string_view s, std::size_t max_depth) {
  std::vector<char> stack;  // '[' or '{' per open container
  std::size_t i = 0;
  auto skip_ws = [&] {
    while (i < s.size() && is_ws(s[i])) ++i;
  };
  auto error = [](std::size_t at, std::string what) { return std::optional<JsonError>(JsonError{at, std::move(what)}); };
  enum class State { value, after_value, key };
  State state = State::value;
  skip_ws();
  if (i >= s.size()) return error(i, s.empty() ? "empty document" : "document holds only whitespace");
  if (s.substr(i, 3) == "\xEF\xBB\xBF") return error(i, "a UTF-8 byte order mark is not allowed in JSON");
  while (true) {
    switch (state) {
      case State::value: {
        skip_ws();
        if (i >= s.size()) return error(i, "unexpected end of input, expected a value");
        char c = s[i];
        if (c == '[' || c == '{') {
          if (stack.size() >= max_depth) return error(i, "nesting deeper than max_depth " + std::to_string(max_depth));
          stack.push_back(c);
          ++i;
          skip_ws();
          char close = c == '[' ? ']' : '}';
          if (i < s.size() && s[i] == close) {
            stack.pop_back();
            ++i;
            state = State::after_value;
          } else {
            state = c == '[' ? State::value : State::key;
          }
        } else if (c == '"') {
          JsonError err;
          std::size_t end = scan_string(s, i, &err);
          if (end == std::string_view::npos) return err;
          i = end;
          state = State::after_value;
        } else if (c == '-' || is_digit(c)) {
          std::size_t error_at = 0;
          std::size_t end = scan_number(s, i, &error_at);
          if (end == std::string_view::npos) {
            return error(error_at, error_at < s.size() ? "invalid number: expected a digit, found " + describe_byte(s, error_at)
                                                       : "invalid number: unexpected end of input");
          }
          if (end < s.size() && is_digit(s[end])) return error(i, "invalid number: leading zeros are not allowed");
          i = end;
          state = State::after_value;
        } else if (s.substr(i, 4) == "true" || s.substr(i, 4) == "null") {
          i += 4;
          state = State::after_value;
        } else if (s.substr(i, 5) == "false") {
          i += 5;
          state = State::after_value;
        } else if (c == 't' || c == 'f' || c == 'n') {
          return error(i, "invalid literal (expected true, false or null)");
        } else {
          return error(i, "expected a value, found " + describe_byte(s, i));
        }
        break;
      }
      case State::key: {
        skip_ws();
        if (i >= s.size()) return error(i, "unexpected end of input, expected an object key");
        if (s[i] != '"') return error(i, "expected a string key, found " + describe_byte(s, i));
        JsonError err;
        std::size_t end = scan_string(s, i, &err);
        if (end == std::string_view::npos) return err;
        i = end;
        skip_ws();
        if (i >= s.size()) return error(i, "unexpected end of input, expected ':'");
        if (s[i] != ':') return error(i, "expected ':' after object key");
        ++i;
        state = State::value;
        break;
      }
      case State::after_value: {
        skip_ws();
        if (stack.empty()) {
          if (i < s.size()) return error(i, "trailing content after the JSON document");
          return std::nullopt;
        }
        char open = stack.back();
        char close = open == '[' ? ']' : '}';
        if (i >= s.size()) return error(i, std::string("unexpected end of input, expected ',' or '") + close + "'");
        if (s[i] == ',') {
          ++i;
          state = open == '[' ? State::value : State::key;
        } else if (s[i] == close) {
          stack.pop_back();
          ++i;
        } else {
          return error(i, std::string("expected ',' or '") + close + "', found " + describe_byte(s, i));
        }
        break;
      }
    }
  }
}

}  // namespace famulor::detail

// Encoding functions: URL percent-encoding, base64, SHA-256 (OpenSSL EVP).
#include <string>

#include <openssl/evp.h>

#include "expr/functions.hpp"

namespace famulor::expr::detail {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

Status fn_url_encode(const Args& a, EvalCtx& ctx, Value& out) {
  if (a[0].is_null()) {
    out = Value("");
    return {};
  }
  std::string tmp;
  const std::string* s = nullptr;
  if (a[0].is_number() || a[0].is_bool()) {
    a[0].dump_to(tmp);
    s = &tmp;
  } else if (Status st = want_string("url_encode", a, 0, s); !st.ok()) {
    return st;
  }
  if (Status st = ctx.check_string(s->size() * 3, "url_encode()"); !st.ok()) return st;
  std::string r;
  r.reserve(s->size());
  for (unsigned char c : *s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      r += static_cast<char>(c);
    } else {
      r += '%';
      r += kHex[c >> 4];
      r += kHex[c & 15];
    }
  }
  out = Value(std::move(r));
  return {};
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    if (n == 2 && c < 0xC2) return false;  // overlong
    i += n;
  }
  return true;
}

Status fn_url_decode(const Args& a, EvalCtx& ctx, Value& out) {
  if (a[0].is_null()) {
    out = Value();
    return {};
  }
  const std::string* s = nullptr;
  if (Status st = want_string("url_decode", a, 0, s); !st.ok()) return st;
  if (Status st = ctx.charge(s->size() / 64); !st.ok()) return st;
  std::string r;
  for (std::size_t i = 0; i < s->size(); ++i) {
    char c = (*s)[i];
    if (c == '+') {
      r += ' ';
    } else if (c == '%' && i + 2 < s->size() && hex_digit((*s)[i + 1]) >= 0 && hex_digit((*s)[i + 2]) >= 0) {
      r += static_cast<char>(hex_digit((*s)[i + 1]) * 16 + hex_digit((*s)[i + 2]));
      i += 2;
    } else {
      r += c;
    }
  }
  out = valid_utf8(r) ? Value(std::move(r)) : Value();
  return {};
}

Status fn_base64_encode(const Args& a, EvalCtx& ctx, Value& out) {
  const std::string* s = nullptr;
  if (Status st = want_string("base64_encode", a, 0, s); !st.ok()) return st;
  const std::size_t n = 4 * ((s->size() + 2) / 3);
  if (Status st = ctx.check_string(n, "base64_encode()"); !st.ok()) return st;
  std::string r(n + 1, '\0');
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(r.data()),
                            reinterpret_cast<const unsigned char*>(s->data()), static_cast<int>(s->size()));
  r.resize(static_cast<std::size_t>(len < 0 ? 0 : len));
  out = Value(std::move(r));
  return {};
}

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Standard and URL-safe alphabets, padding optional; null when invalid or not UTF-8.
Status fn_base64_decode(const Args& a, EvalCtx& ctx, Value& out) {
  if (a[0].is_null()) {
    out = Value();
    return {};
  }
  const std::string* s = nullptr;
  if (Status st = want_string("base64_decode", a, 0, s); !st.ok()) return st;
  if (Status st = ctx.charge(s->size() / 64); !st.ok()) return st;
  std::string r;
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t end = s->size();
  while (end > 0 && (*s)[end - 1] == '=') --end;
  for (std::size_t i = 0; i < end; ++i) {
    int v = b64_value((*s)[i]);
    if (v < 0) {
      out = Value();
      return {};
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      r += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  out = bits >= 6 || !valid_utf8(r) ? Value() : Value(std::move(r));
  return {};
}

Status fn_sha256_hex(const Args& a, EvalCtx& ctx, Value& out) {
  const std::string* s = nullptr;
  if (Status st = want_string("sha256_hex", a, 0, s); !st.ok()) return st;
  if (Status st = ctx.charge(s->size() / 64); !st.ok()) return st;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(s->data(), s->size(), md, &len, EVP_sha256(), nullptr) != 1) {
    return {StatusCode::internal, "sha256_hex(): digest failed"};
  }
  std::string r;
  for (unsigned int i = 0; i < len; ++i) {
    r += "0123456789abcdef"[md[i] >> 4];
    r += "0123456789abcdef"[md[i] & 15];
  }
  out = Value(std::move(r));
  return {};
}

}  // namespace

void add_encoding_functions(std::vector<FunctionDef>& t) {
  using T = Value::Type;
  t.push_back({"url_encode", 1, 1, T::string, true, fn_url_encode});
  t.push_back({"url_decode", 1, 1, std::nullopt, true, fn_url_decode});
  t.push_back({"base64_encode", 1, 1, T::string, true, fn_base64_encode});
  t.push_back({"base64_decode", 1, 1, std::nullopt, true, fn_base64_decode});
  t.push_back({"sha256_hex", 1, 1, T::string, true, fn_sha256_hex});
}

}  // namespace famulor::expr::detail

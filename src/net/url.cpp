// URL building: percent-encoding, path templates, joining, query strings.
#include "net/url.hpp"

namespace famulor::net {

namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

void escape(std::string& out, unsigned char c) {
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_absolute(std::string_view s) {
  auto starts = [&](std::string_view p) {
    if (s.size() < p.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i)
      if ((s[i] | 0x20) != p[i]) return false;
    return true;
  };
  return starts("http://") || starts("https://");
}

}  // namespace

std::string percent_encode(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (unreserved(c)) {
      out += ch;
    } else {
      escape(out, c);
    }
  }
  return out;
}

std::string form_encode_component(std::string_view s, bool keep_brackets) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || (keep_brackets && (c == '[' || c == ']'))) {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      escape(out, c);
    }
  }
  return out;
}

Result<std::string> percent_decode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) return invalid_argument("malformed percent-escape at offset " + std::to_string(i));
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::string> expand_path(std::string_view templ,
                                const std::function<std::optional<std::string>(std::string_view)>& lookup) {
  std::string out;
  out.reserve(templ.size() + 16);
  for (std::size_t i = 0; i < templ.size(); ++i) {
    char c = templ[i];
    if (c == '{' && i + 1 < templ.size() && templ[i + 1] == '{') {
      out += '{';
      ++i;
    } else if (c == '}' && i + 1 < templ.size() && templ[i + 1] == '}') {
      out += '}';
      ++i;
    } else if (c == '{') {
      auto close = templ.find('}', i + 1);
      if (close == std::string_view::npos)
        return invalid_argument("unclosed '{' in URL path template '" + std::string(templ) + "'");
      std::string_view name = templ.substr(i + 1, close - i - 1);
      std::optional<std::string> value = lookup ? lookup(name) : std::nullopt;
      if (!value) return invalid_argument("URL path parameter '" + std::string(name) + "' has no value");
      out += percent_encode(*value);
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

std::string join_url(std::string_view base, std::string_view path) {
  if (path.empty()) return std::string(base);
  if (is_absolute(path) || base.empty()) return std::string(path);
  std::string out(base);
  if (path.front() == '?' || path.front() == '#') return out + std::string(path);
  bool base_slash = out.back() == '/';
  bool path_slash = path.front() == '/';
  if (base_slash && path_slash) {
    path.remove_prefix(1);
  } else if (!base_slash && !path_slash) {
    out += '/';
  }
  out += path;
  return out;
}

std::string append_query(std::string url, const QueryParams& params) {
  if (params.empty()) return url;
  std::string fragment;
  if (auto hash = url.find('#'); hash != std::string::npos) {
    fragment = url.substr(hash);
    url.resize(hash);
  }
  auto q = url.find('?');
  char sep = q == std::string::npos ? '?' : (q + 1 == url.size() || url.back() == '&' ? '\0' : '&');
  for (const auto& [k, v] : params) {
    if (sep) url += sep;
    sep = '&';
    url += percent_encode(k);
    url += '=';
    url += percent_encode(v);
  }
  return url + fragment;
}

}  // namespace famulor::net

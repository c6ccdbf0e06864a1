#include "http/message.hpp"

#include <algorithm>

namespace famulor::http {

namespace {

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string find_param(const Params& params, std::string_view name, std::string_view fallback) {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return std::string(fallback);
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// ---- HttpHeaders ----

void HttpHeaders::add(std::string name, std::string value) {
  if (fields_.empty()) fields_.reserve(8);  // a typical head in one allocation
  fields_.emplace_back(std::move(name), std::move(value));
}

void HttpHeaders::set(std::string name, std::string value) {
  erase(name);
  fields_.emplace_back(std::move(name), std::move(value));
}

std::size_t HttpHeaders::erase(std::string_view name) {
  auto before = fields_.size();
  std::erase_if(fields_, [&](const Field& f) { return iequals(f.first, name); });
  return before - fields_.size();
}

const std::string* HttpHeaders::find(std::string_view name) const noexcept {
  for (const auto& f : fields_)
    if (iequals(f.first, name)) return &f.second;
  return nullptr;
}

std::string HttpHeaders::get(std::string_view name, std::string_view fallback) const {
  const std::string* v = find(name);
  return v ? *v : std::string(fallback);
}

std::vector<std::string> HttpHeaders::get_all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& f : fields_)
    if (iequals(f.first, name)) out.push_back(f.second);
  return out;
}

bool HttpHeaders::has_token(std::string_view name, std::string_view token) const {
  for (const auto& f : fields_) {
    if (!iequals(f.first, name)) continue;
    std::string_view rest = f.second;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string_view item = trim(rest.substr(0, comma));
      if (iequals(item, token)) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

// ---- HttpRequest ----

std::string HttpRequest::query_param(std::string_view name, std::string_view fallback) const {
  return find_param(query_params, name, fallback);
}

bool HttpRequest::has_query_param(std::string_view name) const {
  return std::any_of(query_params.begin(), query_params.end(),
                     [&](const auto& p) { return p.first == name; });
}

std::string HttpRequest::param(std::string_view name, std::string_view fallback) const {
  return find_param(route_params, name, fallback);
}

// ---- HttpResponse ----

HttpResponse HttpResponse::text(int status, std::string body, std::string content_type) {
  HttpResponse r;
  r.status = status;
  r.headers.add("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::json_text(int status, std::string json) {
  return text(status, std::move(json), "application/json");
}

HttpResponse HttpResponse::error(int status, std::string_view code, std::string_view message) {
  std::string body = "{\"error\":{\"code\":";
  append_json_string(body, code);
  body += ",\"message\":";
  append_json_string(body, message);
  body += "}}";
  return json_text(status, std::move(body));
}

HttpResponse HttpResponse::error(int status, std::string_view message) {
  return error(status, error_code_for(status), message);
}

HttpResponse HttpResponse::empty(int status) {
  HttpResponse r;
  r.status = status;
  return r;
}

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 425: return "Too Early";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string_view error_code_for(int status) noexcept {
  switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthenticated";
    case 403: return "permission_denied";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 408: return "request_timeout";
    case 409: return "conflict";
    case 411: return "length_required";
    case 413: return "payload_too_large";
    case 415: return "unsupported_media_type";
    case 417: return "expectation_failed";
    case 422: return "invalid";
    case 429: return "rate_limited";
    case 431: return "headers_too_large";
    case 500: return "internal";
    case 501: return "not_implemented";
    case 503: return "overloaded";
    case 504: return "timeout";
    case 505: return "http_version_not_supported";
    default: return "error";
  }
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

bool percent_decode(std::string_view s, std::string& out, bool plus_as_space) {
  out.clear();
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return false;
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

Params parse_query(std::string_view query) {
  Params out;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (item.empty()) continue;
    auto eq = item.find('=');
    std::string_view k = item.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
    std::string dk, dv;
    if (!percent_decode(k, dk, true)) dk.assign(k);
    if (!percent_decode(v, dv, true)) dv.assign(v);
    out.emplace_back(std::move(dk), std::move(dv));
  }
  return out;
}

}  // namespace famulor::http

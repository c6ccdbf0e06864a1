// http/message.hpp — the HTTP/1.1 messages the server hands to handlers and sends
// back: HttpHeaders (ordered, case-insensitive, repeatable), HttpRequest (method,
// raw target, percent-decoded path, query parameters, headers, body, peer address,
// route parameters) and HttpResponse (status, headers, body, with helpers for
// JSON bodies and CONTRACT.md's error shape {"error":{"code","message"}}).
//
// No Asio here: callers of the server include this header and server.hpp only.
//
// Thread-safety: plain value types. Concurrent reads of one object are safe; any
// write needs exclusive access.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace famulor {
class Value;
}

namespace famulor::http {

// ASCII case-insensitive equality (header names, tokens).
bool iequals(std::string_view a, std::string_view b) noexcept;

// Header fields in arrival order. Names compare case-insensitively; a name may
// appear several times (add()); set() replaces every earlier field of that name.
class HttpHeaders {
 public:
  using Field = std::pair<std::string, std::string>;

  void add(std::string name, std::string value);
  void set(std::string name, std::string value);
  // Removes every field of that name; returns how many were removed.
  std::size_t erase(std::string_view name);

  // The first value of that name, or nullptr.
  const std::string* find(std::string_view name) const noexcept;
  bool has(std::string_view name) const noexcept { return find(name) != nullptr; }
  // The first value, or fallback when absent.
  std::string get(std::string_view name, std::string_view fallback = {}) const;
  // Every value of that name, in order.
  std::vector<std::string> get_all(std::string_view name) const;
  // Whether a comma-separated header (Connection, Transfer-Encoding...) of that
  // name lists token, case-insensitively, across all its fields.
  bool has_token(std::string_view name, std::string_view token) const;

  std::size_t size() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }
  void clear() noexcept { fields_.clear(); }
  std::vector<Field>::const_iterator begin() const noexcept { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const noexcept { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

using Params = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;   // as sent, e.g. "GET" (methods are case-sensitive)
  std::string target;   // the raw request-target, e.g. "/v1/runs?limit=10"
  std::string path;     // percent-decoded path of the target, e.g. "/v1/runs"
  std::string query;    // raw query string without '?', may be empty
  Params query_params;  // decoded (+ as space), in order, repeats kept
  int version_minor = 1;  // HTTP/1.<minor>
  HttpHeaders headers;
  std::string body;     // de-chunked
  std::string remote_address;  // peer "ip:port"
  Params route_params;  // filled by Router from {name} segments

  // First query parameter of that name, or fallback.
  std::string query_param(std::string_view name, std::string_view fallback = {}) const;
  bool has_query_param(std::string_view name) const;
  // Route parameter of that name (Router), or fallback.
  std::string param(std::string_view name, std::string_view fallback = {}) const;
  std::string header(std::string_view name, std::string_view fallback = {}) const {
    return headers.get(name, fallback);
  }
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;

  // A body with that content type.
  static HttpResponse text(int status, std::string body,
                           std::string content_type = "text/plain; charset=utf-8");
  // Already-serialized JSON, sent as application/json.
  static HttpResponse json_text(int status, std::string json);
  // A Value written as compact JSON (needs the Value implementation at link time).
  static HttpResponse json(int status, const Value& value);
  // CONTRACT.md's error shape: {"error":{"code":code,"message":message}}.
  static HttpResponse error(int status, std::string_view code, std::string_view message);
  // The error shape with the default code for status (see error_code_for).
  static HttpResponse error(int status, std::string_view message);
  // No body.
  static HttpResponse empty(int status);
};

// The standard reason phrase ("Not Found"), or "Unknown".
std::string_view reason_phrase(int status) noexcept;
// The error code used in error bodies for a status: 400 "bad_request",
// 404 "not_found", 405 "method_not_allowed", 413 "payload_too_large",
// 431 "headers_too_large", 503 "overloaded", ... ("error" for others).
std::string_view error_code_for(int status) noexcept;
// Appends s as a JSON string literal (quotes included) to out.
void append_json_string(std::string& out, std::string_view s);

// Percent-decodes s; plus_as_space turns '+' into ' ' (query strings). Returns
// false on a malformed escape (out is then unspecified).
bool percent_decode(std::string_view s, std::string& out, bool plus_as_space = false);
// Splits "a=1&b=x%20y" into decoded pairs; malformed escapes are kept verbatim.
Params parse_query(std::string_view query);

}  // namespace famulor::http

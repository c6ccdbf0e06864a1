// What an HTTP response means for the caller: status_from_response
// and retry_after. No Asio here; curl only for its date parser.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <string>

#include "net/http_client.hpp"

namespace famulor::net {

std::optional<std::chrono::seconds> retry_after(const HttpClientResponse& response) {
  const std::string* v = response.headers.find("Retry-After");
  if (!v) return std::nullopt;
  return parse_retry_after(*v);
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
  if (value.empty()) return std::nullopt;
  const std::string s(value);
  if (std::isdigit(static_cast<unsigned char>(s.front()))) {
    long long secs = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), secs);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return std::chrono::seconds(secs);
  }
  std::time_t when = curl_getdate(s.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  std::time_t now = std::time(nullptr);
  return std::chrono::seconds(when > now ? when - now : 0);
}

namespace {

// Cuts at max bytes without splitting a UTF-8 sequence; says how much was cut.
std::string excerpt(std::string_view body, std::size_t max) {
  if (body.size() <= max) return std::string(body);
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;
  std::string out(body.substr(0, cut));
  out += "... (";
  out += std::to_string(body.size());
  out += " bytes)";
  return out;
}

StatusCode code_for(int status) {
  if (status >= 500 || status == 408) return StatusCode::unavailable;
  switch (status) {
    case 429: return StatusCode::resource_exhausted;
    case 400: case 405: case 409: case 410: case 413: case 414: case 415: case 422:
      return StatusCode::invalid_argument;
    case 401: return StatusCode::unauthenticated;
    case 403: return StatusCode::permission_denied;
    case 404: return StatusCode::not_found;
    default: return StatusCode::failed_precondition;
  }
}

}  // namespace

Status status_from_response(const HttpClientResponse& response, std::size_t max_body_chars) {
  if (response.status < 400) return {};
  std::string msg = "HTTP " + std::to_string(response.status);
  if (auto delay = retry_after(response)) msg += " (retry after " + std::to_string(delay->count()) + " s)";
  std::string_view body = response.body;
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.remove_suffix(1);
  if (!body.empty()) {
    msg += ": ";
    msg += excerpt(body, max_body_chars);
  }
  return {code_for(response.status), std::move(msg)};
}

}  // namespace famulor::net

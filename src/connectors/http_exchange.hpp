// connectors/http_exchange.hpp — the request a connector call sends and the
// response it gets, as plain data, and the Transport that carries them.
//
// The connector runtime builds an HttpRequest, hands it to a Transport (the
// engine's async HTTP client in production, a recorder for dry runs, a loopback
// server in tests) and interprets the HttpResponse. Keeping this seam small is
// what lets dry-run print exactly what would have been sent.
//
// Thread-safety: plain values; a Transport must accept calls from any thread and
// may complete on any thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor::connectors {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive header lookup; nullptr when absent.
const std::string* find_header(const Headers& headers, std::string_view name) noexcept;
// Replaces (case-insensitively) or appends.
void set_header(Headers& headers, std::string name, std::string value);

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  // The host came from something a workflow author or a credential controls (not
  // the operator's FAMULOR_<APP>_BASE_URL or --sandbox): the outbound policy
  // (private/loopback/metadata addresses refused) applies.
  bool policy_applies = true;
  int timeout_ms = 30'000;
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

using ResponseHandler = std::function<void(Result<HttpResponse>)>;
// Sends one request; calls `done` exactly once, on any thread.
using Transport = std::function<void(HttpRequest request, ResponseHandler done)>;

// {"method","url","headers":{...},"body":<JSON or string>} with secrets already
// redacted by the caller — what dry runs and run records show.
Value describe_request(const HttpRequest& request);

}  // namespace famulor::connectors

// net/http_client.hpp — HttpClient: famulor's outbound HTTP(S) client, the base of
// every connector call and of the `http.request` node.
//
// One libcurl multi handle driven by the engine's IoPool: curl's sockets are
// watched by the pool's io_context and its timer is an Asio timer, so requests in
// flight cost no thread each (hundreds at once on the pool's own threads). All
// multi-handle work is serialized on one strand. Connections are kept alive and
// reused (one connection cache per client); HTTPS offers HTTP/2 (ALPN) and always
// verifies the peer. Proxies come from the environment (http_proxy, https_proxy,
// no_proxy) unless ClientOptions::proxy says otherwise. Plain http:// requests
// curl adds nothing to (address literal or pinned name, no proxy, no redirect
// following) skip curl: net/plain_http.hpp sends them on the pool directly, with
// its own keep-alive pool, and calls back on the thread that read the response.
//
// send() never fails synchronously: transport errors arrive in the callback as a
// Status (timeouts → deadline_exceeded, connection failures → unavailable, a body
// over the size limit → resource_exhausted, a bad URL → invalid_argument). Any HTTP
// response, whatever its status, is a value; status_from_response() maps a non-2xx
// one onto the Status a caller should report.
//
// Thread-safety: send(), send_sync() and stats() may be called concurrently from
// any thread. Destroy the client before its IoPool; the destructor cancels what is
// still in flight (those callbacks get `cancelled`) and, unless called on a pool
// thread, waits until every callback has returned.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "famulor/status.hpp"
#include "http/message.hpp"

namespace famulor::detail {
class IoPool;
}

namespace famulor::net {

// Header fields in order, names case-insensitive, a name may repeat: the
// server's own list (one implementation for requests and responses).
using HeaderList = http::HttpHeaders;
using http::iequals;

struct HttpClientRequest {
  std::string method = "GET";  // any token; HEAD sends no body back
  std::string url;             // http:// or https:// only
  HeaderList headers;
  std::string body;  // sent when non-empty, and (empty) for POST/PUT/PATCH
  std::chrono::milliseconds connect_timeout{0};  // 0 = ClientOptions::connect_timeout
  std::chrono::milliseconds timeout{0};          // whole request; 0 = ClientOptions::timeout
  std::size_t max_response_bytes = 0;            // decoded body; 0 = ClientOptions::max_response_bytes
  // Sent as `Idempotency-Key` unless the headers already carry one.
  std::string idempotency_key;
  // Pins name resolution (CURLOPT_RESOLVE entries "host:port:address[,address]"):
  // the outbound policy resolves and checks a host itself, then pins what it checked.
  std::vector<std::string> resolve;
  bool follow_redirects = false;  // at most 5, http/https only
  // Polled while the request runs; returning true aborts it with `cancelled`.
  // [Threading] called on a pool thread, on the client's strand; must be cheap.
  std::function<bool()> cancelled;
};

struct HttpClientResponse {
  int status = 0;
  HeaderList headers;  // of the final response (after redirects / 100-continue)
  std::string body;
  std::chrono::microseconds total_time{0};
  int http_version = 0;  // 10, 11, 20, 30
  std::string effective_url;

  bool ok() const noexcept { return status >= 200 && status < 300; }
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{30'000};
  std::size_t max_response_bytes = 16 * 1024 * 1024;
  std::string user_agent = "famulor/0.1";
  std::string ca_file;               // "" = the system's CA bundle
  std::optional<std::string> proxy;  // unset = environment; "" = never a proxy
  long max_host_connections = 0;     // per host; 0 = unlimited (requests queue beyond it)
  long max_total_connections = 0;    // 0 = unlimited
  long max_idle_connections = 1024;  // idle connections kept for reuse; 0 = curl default (4x handles)
  // Plain http:// requests curl is not needed for (an address literal or a pinned
  // name, no proxy, no redirect following: see net/plain_http.hpp) go on Asio
  // directly, without libcurl's per-request cost. Off: everything through curl.
  bool direct_plain_http = true;
};

// Counters since construction (for tests and metrics).
struct ClientStats {
  std::uint64_t started = 0;
  std::uint64_t completed = 0;            // results handed to callbacks, any outcome
  std::uint64_t connections_opened = 0;   // new TCP connections; reused ones do not count
  std::size_t in_flight = 0;
};

class HttpClient {
 public:
  // [Threading] Called on a pool thread, never on the strand, never inside send().
  // [Exceptions] must not throw.
  using Callback = std::function<void(Result<HttpClientResponse>)>;

  explicit HttpClient(detail::IoPool& pool, ClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts the request; `done` is called exactly once. Requests sent before the
  // pool runs wait for it. After destruction has begun, `done` gets `cancelled`.
  void send(HttpClientRequest request, Callback done);

  // Sends and blocks until the response. failed_precondition when called on a pool
  // thread or while the pool is not running (it would never complete).
  Result<HttpClientResponse> send_sync(HttpClientRequest request);

  ClientStats stats() const;
  const ClientOptions& options() const noexcept;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// The Status a caller should report for a non-2xx response (ok for 1xx-3xx):
// 5xx, 408 → unavailable (502/503/504 included); 429 → resource_exhausted with the
// Retry-After; 400/405/409/410/413/415/422 → invalid_argument; 401 → unauthenticated;
// 403 → permission_denied; 404 → not_found; other 4xx → failed_precondition.
// The message holds "HTTP <status>" and the app's error body, cut at max_body_chars.
Status status_from_response(const HttpClientResponse& response, std::size_t max_body_chars = 512);

// Retry-After (delta seconds or an HTTP-date) as a delay from now; nullopt when
// absent or unparseable. Negative delays become 0.
std::optional<std::chrono::seconds> retry_after(const HttpClientResponse& response);
// The same for a Retry-After header value ("120" or "Wed, 21 Oct 2026 07:28:00 GMT").
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value);

}  // namespace famulor::net

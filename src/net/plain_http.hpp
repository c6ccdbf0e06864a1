// net/plain_http.hpp — PlainHttp: the HttpClient's direct path for plain
// `http://` requests, on Asio without libcurl (internal to the HttpClient).
//
// libcurl costs ~100k instructions per request (its per-request setup, URL
// parsing, printf-style header formatting, connection-cache walk) plus two
// thread hand-offs (the client's strand, then the callback's post). For the
// requests this path takes, it writes the request itself, reads the response
// with a ResponseParser, keeps connections alive in a pool per host:port and
// calls back on the thread that read the answer.
//
// It takes a request only when nothing of curl's is needed: `http://`, the host
// an address literal or pinned by the request's `resolve` entry (what the
// outbound policy checked), no proxy configured (ClientOptions::proxy, or
// http_proxy / all_proxy in the environment when the client was built), no
// redirect following, no connection limits, not HEAD, no user:password in the
// URL, a path curl would send unchanged, and header fields curl would accept
// (and no caller-set Host, Content-Length, Transfer-Encoding, Connection or
// Expect). Everything else goes to curl. Behaviour matches the curl path:
// timeouts (connect and total) → deadline_exceeded, connection failures →
// unavailable, body over the limit → resource_exhausted, cancel hook polled
// every 200 ms → cancelled, same request headers (Host, User-Agent, Accept,
// the caller's, Idempotency-Key, curl's default form Content-Type and a
// Content-Length for bodies). One difference: no Accept-Encoding is sent, so a
// body arrives uncompressed (curl asked for any encoding and decoded it).
// A request on a reused connection that fails before any byte of the response
// arrived (the server closed the idle connection) is sent once more on a new one.
//
// Thread-safety: try_send() and shutdown() may be called from any thread; each
// exchange runs on its own strand.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "net/http_client.hpp"

namespace famulor::detail {
class IoPool;
}

namespace famulor::net {

// Counters shared by both paths of one HttpClient (they outlive either path).
struct ClientCounters {
  std::atomic<std::uint64_t> started{0}, completed{0}, connections{0};
  std::atomic<std::size_t> in_flight{0};
  std::mutex idle_mu;
  std::condition_variable idle_cv;

  // Calls `done` with the result and counts the request finished (waking a
  // destructor waiting for in_flight to reach 0).
  void deliver(HttpClient::Callback done, Result<HttpClientResponse> result);
};

class PlainHttp {
 public:
  PlainHttp(detail::IoPool& pool, const ClientOptions& options, std::shared_ptr<ClientCounters> counters);
  ~PlainHttp();
  PlainHttp(const PlainHttp&) = delete;
  PlainHttp& operator=(const PlainHttp&) = delete;

  // Takes the request (moving from both arguments) and returns true when this
  // path can send it; false leaves both untouched for curl.
  bool try_send(HttpClientRequest& request, HttpClient::Callback& done);

  // Ends every exchange in flight with `cancelled` and closes idle connections;
  // later try_send() calls return false. Idempotent.
  void shutdown();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace famulor::net

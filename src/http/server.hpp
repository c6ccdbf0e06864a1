// http/server.hpp — HttpServer: the HTTP/1.1 server `famulor serve`, the sandbox
// and the test fakes run on.
//
// It listens on host:port (port 0 picks a free port; port() reports it), accepts
// on the shared IoPool and serves each connection asynchronously: read, parse
// (http/parser.hpp), call the Handler, write the response, repeat while the
// connection is kept alive. Requests on one connection are handled one at a time
// in order, so pipelined requests are answered in order; the next one is not
// read before the current one is answered (bounded memory per connection).
//
// Protection: a request's head must arrive within header_timeout of its first
// byte and its body within body_timeout of the head (slowloris; answered 408),
// a connection with no request in progress is closed after idle_timeout, a
// response must be taken by the client within write_timeout. Beyond
// max_connections a new connection gets 503 with Retry-After and is closed.
//
// stop(): stops accepting, closes idle connections, lets requests in progress
// finish and be answered (with Connection: close) for up to the grace period,
// then closes whatever remains. Answers sent after that are dropped.
//
// Thread-safety: start(), stop() and the destructor from one controlling thread,
// never from a pool thread (stop() waits). port(), url() and stats() from any
// thread. The IoPool must be running while the server serves or stops, and must
// outlive the server.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "famulor/status.hpp"
#include "http/parser.hpp"
#include "http/responder.hpp"

namespace famulor::detail {
class IoPool;
}

namespace famulor::http {

class ServerCore;  // server_core.hpp (Asio inside)

struct ServerOptions {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 address literal
  std::uint16_t port = 0;          // 0: any free port
  ParserLimits limits;
  std::chrono::milliseconds header_timeout{10'000};  // first byte -> complete head
  std::chrono::milliseconds body_timeout{30'000};    // complete head -> complete body
  std::chrono::milliseconds idle_timeout{60'000};    // between requests on a kept-alive connection
  std::chrono::milliseconds write_timeout{30'000};   // to send one response
  std::size_t max_connections = 1024;  // open connections served at once
  std::chrono::milliseconds shutdown_grace{5'000};   // stop(): time for requests in progress
  int retry_after_s = 1;  // Retry-After of the 503 sent beyond max_connections
};

struct ServerStats {
  std::uint64_t accepted = 0;        // connections accepted and served
  std::uint64_t rejected = 0;        // connections answered 503 (over max_connections)
  std::uint64_t requests = 0;        // requests handed to the handler
  std::uint64_t bad_requests = 0;    // requests refused by the parser or timed out
  std::size_t open_connections = 0;  // served connections open now
};

class HttpServer {
 public:
  HttpServer(detail::IoPool& pool, ServerOptions options, Handler handler);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Fails with invalid_argument for a bad host,
  // unavailable when the address cannot be bound, failed_precondition when
  // already started.
  Status start();

  // Stops as described above, waiting at most the grace period (and a little
  // more for sockets to close). Idempotent.
  void stop();
  void stop(std::chrono::milliseconds grace);

  // The bound port (0 before start()).
  std::uint16_t port() const noexcept;
  const std::string& host() const noexcept;
  // "http://HOST:PORT" (IPv6 hosts in brackets).
  std::string url() const;
  ServerStats stats() const;

 private:
  std::shared_ptr<ServerCore> core_;
};

}  // namespace famulor::http

// tests/net/loopback_server.hpp — a small HTTP/1.1 server on 127.0.0.1 for the
// client's tests and benchmark: keep-alive, Content-Length bodies, counts the
// connections it accepted, and lets a handler answer later (or never) through a
// Responder, so tests can hold requests open.
//
// Thread-safety: the handler runs on the server's own threads; a Responder may be
// used from any thread, also after the server is gone (it then does nothing).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace famulor::test {

struct ServerRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::uint64_t connection = 0;  // 1-based id of the connection it came on

  // First header of that name (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

struct ServerReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class Responder {
 public:
  struct Conn;
  Responder() = default;
  explicit Responder(std::shared_ptr<Conn> c) : conn_(std::move(c)) {}
  // Sends the reply (once); the connection then reads the next request.
  void reply(ServerReply r) const;
  // Closes the connection without answering.
  void close() const;

 private:
  std::shared_ptr<Conn> conn_;
};

class LoopbackServer {
 public:
  using Handler = std::function<void(const ServerRequest&, Responder)>;

  explicit LoopbackServer(Handler handler, unsigned threads = 1);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:PORT" + path.
  std::string url(std::string_view path = "/") const;
  std::uint64_t connections() const;
  std::uint64_t requests() const;

  struct Core;

 private:
  std::shared_ptr<Core> core_;
};

// A handler answering every request with the same reply.
LoopbackServer::Handler always(ServerReply reply);

}  // namespace famulor::test

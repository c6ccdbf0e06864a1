// connectors/sandbox_server.hpp — the sandbox (sandbox.hpp) served over HTTP:
// what `famulor sandbox` runs and `famulor run --sandbox` starts in-process on
// 127.0.0.1:0. Injected delays (POST /_sandbox/fail {"delay_ms"}) are timers on
// the pool, so a slow answer blocks no other request.
//
// Thread-safety: start()/stop()/destruction from one controlling thread, never a
// pool thread; url() and sandbox() from any thread. The pool must be running
// while the server serves and must outlive it; `registry` must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "connectors/sandbox.hpp"
#include "famulor/status.hpp"

namespace famulor::detail {
class IoPool;
}
namespace famulor::http {
class HttpServer;
}

namespace famulor::connectors {

class SandboxServer {
 public:
  SandboxServer(detail::IoPool& pool, const Registry& registry, std::string host = "127.0.0.1", std::uint16_t port = 0);
  ~SandboxServer();  // stop()
  SandboxServer(const SandboxServer&) = delete;
  SandboxServer& operator=(const SandboxServer&) = delete;

  // Binds (unavailable when the address is taken) and starts serving.
  Status start();
  void stop();
  // "http://HOST:PORT" once started.
  std::string url() const;
  Sandbox& sandbox() noexcept { return *sandbox_; }

 private:
  struct Delays;  // timers of delayed answers, cancelled by stop()

  detail::IoPool& pool_;
  std::unique_ptr<Sandbox> sandbox_;
  std::shared_ptr<Delays> delays_;
  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace famulor::connectors

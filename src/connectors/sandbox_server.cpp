#include "connectors/sandbox_server.hpp"

#include <asio/steady_timer.hpp>
#include <mutex>
#include <vector>

#include "common/io_pool_asio.hpp"
#include "http/server.hpp"

namespace famulor::connectors {

struct SandboxServer::Delays {
  std::mutex mu;
  std::vector<std::weak_ptr<asio::steady_timer>> timers;

  void add(const std::shared_ptr<asio::steady_timer>& t) {
    std::lock_guard lk(mu);
    std::erase_if(timers, [](const auto& w) { return w.expired(); });
    timers.push_back(t);
  }
  std::vector<std::weak_ptr<asio::steady_timer>> take() {
    std::lock_guard lk(mu);
    return std::move(timers);
  }
};

SandboxServer::SandboxServer(detail::IoPool& pool, const Registry& registry, std::string host, std::uint16_t port)
    : pool_(pool), sandbox_(std::make_unique<Sandbox>(registry, "")), delays_(std::make_shared<Delays>()) {
  http::ServerOptions opts;
  opts.host = std::move(host);
  opts.port = port;
  Sandbox* sb = sandbox_.get();
  detail::IoPool* p = &pool_;
  auto delays = delays_;
  server_ = std::make_unique<http::HttpServer>(pool_, opts, [sb, p, delays](http::HttpRequest req, http::Responder responder) {
    Headers headers;
    for (auto& [k, v] : req.headers) headers.emplace_back(k, v);
    SandboxReply reply = sb->handle(req.method, req.target, headers, req.body);
    http::HttpResponse out;
    out.status = reply.response.status;
    for (auto& [k, v] : reply.response.headers) out.headers.add(k, v);
    out.body = std::move(reply.response.body);
    if (reply.delay_ms <= 0) {
      responder.send(std::move(out));
      return;
    }
    // The handler owns its timer; it is freed once the answer is sent (or the pool shuts down).
    auto timer = std::make_shared<asio::steady_timer>(detail::io_context(*p), std::chrono::milliseconds(reply.delay_ms));
    delays->add(timer);
    timer->async_wait([timer, responder, out = std::move(out)](const std::error_code&) mutable {
      responder.send(std::move(out));
    });
  });
}

SandboxServer::~SandboxServer() { stop(); }

Status SandboxServer::start() {
  if (Status s = server_->start(); !s.ok()) return s;
  sandbox_->set_self_url(server_->url());
  return {};
}

void SandboxServer::stop() {
  // Delayed answers are cut short (on the pool: a timer is not thread-safe), so
  // neither the server's grace period nor the pool's drain waits for them.
  for (auto& w : delays_->take())
    pool_.post([w] {
      if (auto t = w.lock()) t->cancel();
    });
  if (server_) server_->stop();
}

std::string SandboxServer::url() const { return server_->url(); }

}  // namespace famulor::connectors

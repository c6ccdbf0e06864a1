#include "connectors/sandbox_server.hpp"

#include <asio/steady_timer.hpp>

#include "common/io_pool_asio.hpp"
#include "http/server.hpp"

namespace famulor::connectors {

SandboxServer::SandboxServer(detail::IoPool& pool, const Registry& registry, std::string host, std::uint16_t port)
    : pool_(pool), sandbox_(std::make_unique<Sandbox>(registry, "")) {
  http::ServerOptions opts;
  opts.host = std::move(host);
  opts.port = port;
  Sandbox* sb = sandbox_.get();
  detail::IoPool* p = &pool_;
  server_ = std::make_unique<http::HttpServer>(pool_, opts, [sb, p](http::HttpRequest req, http::Responder responder) {
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
  if (server_) server_->stop();
}

std::string SandboxServer::url() const { return server_->url(); }

}  // namespace famulor::connectors

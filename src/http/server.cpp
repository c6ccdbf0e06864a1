#include "http/server.hpp"

#include <asio/post.hpp>
#include <vector>

#include "common/io_pool_asio.hpp"
#include "http/server_core.hpp"

namespace famulor::http {

// ---- HttpServer ----

HttpServer::HttpServer(detail::IoPool& pool, ServerOptions options, Handler handler)
    : core_(std::make_shared<ServerCore>(detail::io_context(pool), std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::start() { return core_->start(); }
void HttpServer::stop() { core_->stop(core_->options().shutdown_grace); }
void HttpServer::stop(std::chrono::milliseconds grace) { core_->stop(grace); }
std::uint16_t HttpServer::port() const noexcept { return core_->port(); }
const std::string& HttpServer::host() const noexcept { return core_->host(); }
ServerStats HttpServer::stats() const { return core_->stats(); }

std::string HttpServer::url() const {
  const std::string& h = core_->host();
  std::string u = "http://";
  if (h.find(':') != std::string::npos) u += "[" + h + "]";
  else u += h;
  return u + ":" + std::to_string(port());
}

// ---- ServerCore ----

ServerCore::ServerCore(asio::io_context& ctx, ServerOptions options, Handler handler)
    : ctx_(ctx),
      options_(std::move(options)),
      handler_(std::move(handler)),
      accept_strand_(asio::make_strand(ctx)),
      acceptor_(accept_strand_),
      accept_retry_(accept_strand_) {}

Status ServerCore::start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return failed_precondition("the server was started before");
    started_ = true;
  }
  asio::error_code ec;
  auto address = asio::ip::make_address(options_.host, ec);
  if (ec) {
    std::lock_guard lock(mu_);
    started_ = false;
    return invalid_argument("not an IP address: " + options_.host);
  }
  asio::ip::tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    asio::error_code ignored;
    acceptor_.close(ignored);
    std::lock_guard lock(mu_);
    started_ = false;  // nothing to stop; start() may be tried again
    return unavailable("cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                       ec.message());
  }
  port_ = acceptor_.local_endpoint(ec).port();
  asio::post(accept_strand_, [self = shared_from_this()] { self->do_accept(); });
  return {};
}

void ServerCore::do_accept() {
  acceptor_.async_accept(asio::make_strand(ctx_),
                         [self = shared_from_this()](const asio::error_code& ec, asio::ip::tcp::socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void ServerCore::on_accept(const asio::error_code& ec, asio::ip::tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Out of descriptors or a transient error: pause briefly instead of spinning.
    accept_retry_.expires_after(std::chrono::milliseconds(50));
    accept_retry_.async_wait([self = shared_from_this()](const asio::error_code& e) {
      if (!e) self->do_accept();
    });
    return;
  }
  std::shared_ptr<ServerConnection> conn;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      asio::error_code ignored;
      socket.close(ignored);
      return;
    }
    bool reject = served_ >= options_.max_connections;
    // Rejections are bounded too: past that, the socket is simply closed.
    if (reject && rejecting_ >= std::max<std::size_t>(16, options_.max_connections / 4)) {
      asio::error_code ignored;
      socket.close(ignored);
      rejected_.fetch_add(1, std::memory_order_relaxed);
      do_accept();
      return;
    }
    conn = std::make_shared<ServerConnection>(shared_from_this(), std::move(socket), reject);
    conns_.emplace(conn.get(), conn);
    if (reject) {
      ++rejecting_;
      rejected_.fetch_add(1, std::memory_order_relaxed);
    } else {
      ++served_;
      accepted_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  conn->start();
  do_accept();
}

void ServerCore::remove(ServerConnection* conn, bool rejected) {
  std::shared_ptr<ServerConnection> keep;  // destroyed outside the lock
  {
    std::lock_guard lock(mu_);
    auto it = conns_.find(conn);
    if (it == conns_.end()) return;
    keep = std::move(it->second);
    conns_.erase(it);
    if (rejected) --rejecting_;
    else --served_;
  }
  cv_.notify_all();
}

void ServerCore::stop(std::chrono::milliseconds grace) {
  std::vector<std::shared_ptr<ServerConnection>> open;
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
    for (auto& [ptr, conn] : conns_) open.push_back(conn);
  }
  asio::post(accept_strand_, [self = shared_from_this()] {
    asio::error_code ignored;
    self->acceptor_.close(ignored);
    self->accept_retry_.cancel();
  });
  for (auto& c : open) c->begin_drain();
  open.clear();

  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, grace, [&] { return conns_.empty(); })) {
    for (auto& [ptr, conn] : conns_) open.push_back(conn);
    lock.unlock();
    for (auto& c : open) c->force_close();
    open.clear();
    lock.lock();
    if (!cv_.wait_for(lock, std::chrono::seconds(2), [&] { return conns_.empty(); })) {
      // The pool is not running the connections' handlers: drop our references so
      // that they die with their pending handlers.
      auto orphans = std::move(conns_);
      conns_.clear();
      served_ = rejecting_ = 0;
      lock.unlock();
      orphans.clear();
      lock.lock();
    }
  }
  lock.unlock();
  // Wait for the acceptor's close to have run (it touches the acceptor): a
  // round-trip through its strand.
  struct Flag {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
  };
  auto flag = std::make_shared<Flag>();
  asio::post(accept_strand_, [flag] {
    std::lock_guard l(flag->m);
    flag->done = true;
    flag->cv.notify_all();
  });
  std::unique_lock l(flag->m);
  flag->cv.wait_for(l, std::chrono::seconds(2), [&] { return flag->done; });
}

ServerStats ServerCore::stats() const {
  ServerStats s;
  s.accepted = accepted_.load();
  s.rejected = rejected_.load();
  s.requests = requests_.load();
  s.bad_requests = bad_requests_.load();
  std::lock_guard lock(mu_);
  s.open_connections = served_;
  return s;
}

}  // namespace famulor::http

#include "support/fake_http_server.hpp"

#include <asio/steady_timer.hpp>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include "common/io_pool.hpp"
#include "common/io_pool_asio.hpp"
#include "http/server.hpp"

namespace famulor::test {

// ---- RecordedRequest / FakeResponse ----

std::string RecordedRequest::query_param(std::string_view name) const {
  for (const auto& [k, v] : query_params)
    if (k == name) return v;
  return {};
}

FakeResponse FakeResponse::json(int status, std::string body) {
  FakeResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

FakeResponse FakeResponse::text(int status, std::string body) {
  FakeResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

FakeResponse FakeResponse::status_only(int status) {
  FakeResponse r;
  r.status = status;
  return r;
}

FakeResponse FakeResponse::error(int status, std::string_view code, std::string_view message) {
  auto h = http::HttpResponse::error(status, code, message);
  return json(status, std::move(h.body));
}

FakeResponse FakeResponse::drop_connection() { return status_only(0); }

FakeResponse& FakeResponse::header(std::string name, std::string value) & {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}
FakeResponse&& FakeResponse::header(std::string name, std::string value) && {
  headers.emplace_back(std::move(name), std::move(value));
  return std::move(*this);
}
FakeResponse& FakeResponse::after(std::chrono::milliseconds d) & {
  delay = d;
  return *this;
}
FakeResponse&& FakeResponse::after(std::chrono::milliseconds d) && {
  delay = d;
  return std::move(*this);
}

FakeResponse& FakeResponse::hold() & {
  held = true;
  return *this;
}

FakeResponse&& FakeResponse::hold() && {
  held = true;
  return std::move(*this);
}

// ---- Route ----

struct FakeHttpServer::Route::State {
  std::mutex mu;
  std::string method;
  std::string path;
  bool prefix = false;
  std::vector<FakeResponse> sequence;
  std::size_t next = 0;
  FakeResponder dynamic;
  int fail_remaining = 0;
  FakeResponse failure;

  bool matches(const RecordedRequest& r) const {
    if (method != "*" && method != r.method) return false;
    if (prefix) return r.path.compare(0, path.size(), path) == 0;
    return r.path == path;
  }

  FakeResponse answer(const RecordedRequest& r) {
    std::unique_lock lock(mu);
    if (fail_remaining > 0) {
      --fail_remaining;
      return failure;
    }
    if (dynamic) {
      FakeResponder d = dynamic;
      lock.unlock();
      return d(r);
    }
    if (sequence.empty()) return FakeResponse::status_only(200);
    FakeResponse out = sequence[std::min(next, sequence.size() - 1)];
    if (next + 1 < sequence.size()) ++next;
    return out;
  }
};

FakeHttpServer::Route& FakeHttpServer::Route::fail_first(int n, FakeResponse failure) {
  std::lock_guard lock(state_->mu);
  state_->fail_remaining = n;
  state_->failure = std::move(failure);
  return *this;
}

FakeHttpServer::Route& FakeHttpServer::Route::then(FakeResponse next) {
  std::lock_guard lock(state_->mu);
  state_->sequence.push_back(std::move(next));
  return *this;
}

// ---- FakeHttpServer ----

struct FakeHttpServer::Impl {
  detail::IoPool pool{1};
  std::unique_ptr<http::HttpServer> server;

  mutable std::mutex mu;
  mutable std::condition_variable cv;
  std::vector<RecordedRequest> recorded;
  std::vector<std::shared_ptr<Route::State>> routes;
  FakeResponse fallback = FakeResponse::error(404, "not_found", "no scripted response");
  // Delayed answers; only touched on the pool's one thread.
  std::vector<std::weak_ptr<asio::steady_timer>> timers;
  // Held answers and whether release_held() was called; only touched on the pool's thread.
  std::vector<std::pair<http::Responder, http::HttpResponse>> held;
  bool held_released = false;

  void handle(http::HttpRequest req, http::Responder responder) {
    RecordedRequest rec;
    rec.method = std::move(req.method);
    rec.target = std::move(req.target);
    rec.path = std::move(req.path);
    rec.query = std::move(req.query);
    rec.query_params = std::move(req.query_params);
    rec.headers = std::move(req.headers);
    rec.body = std::move(req.body);
    rec.received_at = std::chrono::steady_clock::now();

    std::shared_ptr<Route::State> route;
    FakeResponse answer;
    {
      std::lock_guard lock(mu);
      for (auto it = routes.rbegin(); it != routes.rend(); ++it)
        if ((*it)->matches(rec)) {
          route = *it;
          break;
        }
      if (!route) answer = fallback;
    }
    if (route) {
      try {
        answer = route->answer(rec);
      } catch (const std::exception& e) {
        answer = FakeResponse::error(500, "internal", std::string("fake responder threw: ") + e.what());
      }
    }
    {
      std::lock_guard lock(mu);
      recorded.push_back(std::move(rec));
    }
    cv.notify_all();

    http::HttpResponse resp;
    resp.status = answer.status;
    for (auto& [k, v] : answer.headers) resp.headers.add(k, v);
    if (answer.close_connection) resp.headers.set("Connection", "close");
    resp.body = std::move(answer.body);
    if (answer.held && !held_released) {
      held.emplace_back(std::move(responder), std::move(resp));
      return;
    }
    if (answer.delay.count() <= 0) {
      resp.status == 0 ? responder.abort() : responder.send(std::move(resp));
      return;
    }
    auto timer = std::make_shared<asio::steady_timer>(detail::io_context(pool), answer.delay);
    std::erase_if(timers, [](const auto& w) { return w.expired(); });
    timers.push_back(timer);
    timer->async_wait([timer, responder, resp = std::move(resp)](const asio::error_code& ec) mutable {
      if (!ec) resp.status == 0 ? responder.abort() : responder.send(std::move(resp));
      // Cancelled (the fake is going away): the responder's last copy answers 500.
    });
  }
};

FakeHttpServer::FakeHttpServer() : impl_(std::make_unique<Impl>()) {
  impl_->pool.start();
  http::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.limits.max_body = 64 * 1024 * 1024;
  options.shutdown_grace = std::chrono::milliseconds(200);
  Impl* impl = impl_.get();
  impl_->server = std::make_unique<http::HttpServer>(
      impl_->pool, options,
      [impl](http::HttpRequest req, http::Responder r) { impl->handle(std::move(req), std::move(r)); });
  Status st = impl_->server->start();
  if (!st.ok()) throw std::runtime_error("FakeHttpServer: " + st.to_string());
}

FakeHttpServer::~FakeHttpServer() {
  // Cancel delayed answers on the pool's thread (timers are not thread-safe), then
  // stop serving, then stop the thread.
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  impl_->pool.post([&] {
    for (auto& w : impl_->timers)
      if (auto t = w.lock()) t->cancel();
    impl_->timers.clear();
    impl_->held.clear();  // unanswered: each responder's last copy answers 500
    std::lock_guard lock(m);
    done = true;
    cv.notify_all();
  });
  {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return done; });
  }
  impl_->server->stop();
  impl_->server.reset();
  impl_->pool.stop();
}

std::string FakeHttpServer::url() const { return impl_->server->url(); }
std::uint16_t FakeHttpServer::port() const { return impl_->server->port(); }

FakeHttpServer::Route FakeHttpServer::on(std::string method, std::string path, FakeResponse response) {
  auto state = std::make_shared<Route::State>();
  state->method = std::move(method);
  if (!path.empty() && path.back() == '*') {
    path.pop_back();
    state->prefix = true;
  }
  state->path = std::move(path);
  state->sequence.push_back(std::move(response));
  std::lock_guard lock(impl_->mu);
  impl_->routes.push_back(state);
  return Route(state);
}

FakeHttpServer::Route FakeHttpServer::on(std::string method, std::string path, FakeResponder responder) {
  Route r = on(std::move(method), std::move(path), FakeResponse{});
  std::lock_guard lock(r.state_->mu);
  r.state_->sequence.clear();
  r.state_->dynamic = std::move(responder);
  return r;
}

void FakeHttpServer::release_held() {
  Impl* impl = impl_.get();
  impl_->pool.post([impl] {
    impl->held_released = true;
    for (auto& [responder, resp] : impl->held) resp.status == 0 ? responder.abort() : responder.send(std::move(resp));
    impl->held.clear();
  });
}

void FakeHttpServer::set_default(FakeResponse response) {
  std::lock_guard lock(impl_->mu);
  impl_->fallback = std::move(response);
}

void FakeHttpServer::reset() {
  std::lock_guard lock(impl_->mu);
  impl_->routes.clear();
  impl_->recorded.clear();
  impl_->fallback = FakeResponse::error(404, "not_found", "no scripted response");
}

std::vector<RecordedRequest> FakeHttpServer::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->recorded;
}

std::vector<RecordedRequest> FakeHttpServer::requests(std::string_view method, std::string_view path) const {
  std::vector<RecordedRequest> out;
  std::lock_guard lock(impl_->mu);
  for (const auto& r : impl_->recorded)
    if (r.method == method && r.path == path) out.push_back(r);
  return out;
}

std::size_t FakeHttpServer::request_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->recorded.size();
}

bool FakeHttpServer::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->recorded.size() >= n; });
}

}  // namespace famulor::test

// ServerConnection: one accepted socket served on its own strand (see server_core.hpp).
#include <asio/dispatch.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>

#include "http/server_core.hpp"

namespace famulor::http {

namespace {

using Clock = std::chrono::steady_clock;

// The connection whose handler runs on this thread right now (see dispatch()).
thread_local const ServerConnection* t_in_handler = nullptr;

constexpr std::size_t kMaxLingerBytes = 1024 * 1024;
constexpr std::chrono::milliseconds kLingerTime{1000};

bool header_safe(std::string_view s) {
  return s.find_first_of("\r\n") == std::string_view::npos && !s.empty();
}

// The status line and header block of r. Content-Length, Transfer-Encoding and
// Connection are the server's to set; fields with CR or LF are dropped (no
// response splitting). Sets omit_body for statuses that carry none.
std::string build_head(const HttpResponse& r, int status, bool close, bool http10, bool& omit_body) {
  std::string h;
  h.reserve(128 + r.headers.size() * 48);
  h += "HTTP/1.1 ";
  h += std::to_string(status);
  h += ' ';
  h += reason_phrase(status);
  h += "\r\n";
  for (const auto& [name, value] : r.headers) {
    if (iequals(name, "content-length") || iequals(name, "transfer-encoding") || iequals(name, "connection"))
      continue;
    if (!header_safe(name) || value.find_first_of("\r\n") != std::string::npos) continue;
    h += name;
    h += ": ";
    h += value;
    h += "\r\n";
  }
  bool no_body_status = status == 204 || status == 304;
  if (!no_body_status) {
    h += "Content-Length: ";
    h += std::to_string(r.body.size());
    h += "\r\n";
  }
  omit_body = no_body_status;
  if (close) h += "Connection: close\r\n";
  else if (http10) h += "Connection: keep-alive\r\n";
  h += "\r\n";
  return h;
}

std::string format_peer(const asio::ip::tcp::endpoint& ep) {
  std::string a = ep.address().to_string();
  if (ep.address().is_v6()) a = "[" + a + "]";
  return a + ":" + std::to_string(ep.port());
}

}  // namespace

ServerConnection::ServerConnection(std::shared_ptr<ServerCore> core, asio::ip::tcp::socket socket, bool reject)
    : core_(std::move(core)),
      socket_(std::move(socket)),
      ex_(socket_.get_executor()),
      timer_(ex_),
      reject_(reject),
      parser_(core_->options().limits) {
  asio::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (!ec) remote_ = format_peer(ep);
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

void ServerConnection::start() {
  asio::post(ex_, [self = shared_from_this()] {
    if (self->phase_ == Phase::closed) return;
    if (self->reject_) {
      auto resp = HttpResponse::error(503, "overloaded", "too many connections; retry later");
      resp.headers.add("Retry-After", std::to_string(self->core_->options().retry_after_s));
      bool omit = false;
      std::string head = build_head(resp, 503, true, false, omit);
      self->write(std::move(head), std::move(resp.body), true);
      return;
    }
    self->idle_since_ = Clock::now();
    self->process_input();
  });
}

void ServerConnection::begin_drain() {
  asio::post(ex_, [self = shared_from_this()] {
    if (self->phase_ == Phase::closed) return;
    self->draining_ = true;
    if (self->phase_ == Phase::reading && self->parser_.idle() && self->in_.empty()) self->close();
  });
}

void ServerConnection::force_close() {
  asio::post(ex_, [self = shared_from_this()] { self->close(); });
}

void ServerConnection::process_input() {
  phase_ = Phase::reading;
  if (!in_.empty()) {
    std::size_t n = parser_.feed(in_);
    in_.erase(0, n);
  }
  if (parser_.failed()) {
    core_->count_bad_request();
    send_error(parser_.error_status(), parser_.error_message());
    return;
  }
  if (parser_.complete()) {
    dispatch();
    return;
  }
  if (draining_ && parser_.idle()) {
    close();
    return;
  }
  if (parser_.expects_continue() && !continue_sent_ && parser_.request().body.empty()) {
    continue_sent_ = true;
    phase_ = Phase::writing;
    out_head_ = "HTTP/1.1 100 Continue\r\n\r\n";
    set_deadline(Clock::now() + core_->options().write_timeout);
    asio::async_write(socket_, asio::buffer(out_head_),
                      [self = shared_from_this()](const asio::error_code& ec, std::size_t) {
                        if (self->phase_ == Phase::closed) return;
                        if (ec) return self->close();
                        self->clear_deadline();
                        self->process_input();
                      });
    return;
  }
  update_read_deadline();
  do_read();
}

void ServerConnection::update_read_deadline() {
  const auto& o = core_->options();
  auto now = Clock::now();
  Clock::time_point d;
  if (parser_.idle()) {
    d = idle_since_ + (first_request_ ? o.header_timeout : o.idle_timeout);
  } else if (!parser_.head_complete()) {
    if (request_started_ == Clock::time_point{}) request_started_ = now;
    d = request_started_ + o.header_timeout;
  } else {
    if (head_done_ == Clock::time_point{}) head_done_ = now;
    d = head_done_ + o.body_timeout;
  }
  if (d != deadline_) set_deadline(d);
}

void ServerConnection::do_read() {
  socket_.async_read_some(asio::buffer(read_buf_),
                          [self = shared_from_this()](const asio::error_code& ec, std::size_t n) {
                            self->on_read(ec, n);
                          });
}

void ServerConnection::on_read(const asio::error_code& ec, std::size_t n) {
  if (phase_ != Phase::reading) return;  // a timeout or shutdown took over
  if (ec) {
    close();  // EOF or reset: nobody left to answer
    return;
  }
  in_.append(read_buf_.data(), n);
  process_input();
}

void ServerConnection::dispatch() {
  phase_ = Phase::handling;
  clear_deadline();
  request_keep_alive_ = parser_.keep_alive();
  HttpRequest request = parser_.take_request();
  request_minor_ = request.version_minor;
  head_request_ = request.method == "HEAD";
  request.remote_address = remote_;
  const std::uint64_t gen = ++response_gen_;
  std::weak_ptr<ServerConnection> weak = weak_from_this();
  Responder responder([weak, gen](HttpResponse response) {
    auto self = weak.lock();
    if (!self) return;  // the connection is gone; nobody to answer
    if (t_in_handler == self.get()) {
      // Answered inside the handler, on the strand: no need for a round-trip.
      self->sync_response_ = std::move(response);
      return;
    }
    // dispatch: on a pool thread while the strand is idle (a run that finished
    // on it) the answer is written here and now, without waking another thread.
    asio::dispatch(self->ex_, [self, gen, r = std::move(response)]() mutable {
      if (gen == self->response_gen_) self->on_response(std::move(r));
    });
  });
  core_->count_request();
  const Handler& handler = core_->handler();
  if (!handler) {
    responder.send(HttpResponse::error(500, "internal", "no handler installed"));
    return;
  }
  t_in_handler = this;
  try {
    handler(std::move(request), responder);
  } catch (...) {
    responder.send(HttpResponse::error(500, "internal", "the request handler failed"));
  }
  t_in_handler = nullptr;
  if (sync_response_) {
    HttpResponse r = std::move(*sync_response_);
    sync_response_.reset();
    on_response(std::move(r));
  }
}

void ServerConnection::on_response(HttpResponse response) {
  if (phase_ != Phase::handling) return;
  if (response.status == 0) return close();  // Responder::abort()
  int status = response.status;
  if (status < 200 || status > 999) {
    response = HttpResponse::error(500, "internal", "the handler answered an invalid status");
    status = 500;
  }
  const bool close_after =
      !request_keep_alive_ || draining_ || response.headers.has_token("connection", "close");
  bool omit_body = false;
  std::string head = build_head(response, status, close_after, request_minor_ == 0, omit_body);
  if (omit_body || head_request_) response.body.clear();
  write(std::move(head), std::move(response.body), close_after);
}

void ServerConnection::send_error(int status, std::string_view message) {
  auto resp = HttpResponse::error(status, message);
  bool omit = false;
  std::string head = build_head(resp, status, true, false, omit);
  write(std::move(head), std::move(resp.body), true);
}

void ServerConnection::write(std::string head, std::string body, bool close_after) {
  phase_ = Phase::writing;
  out_head_ = std::move(head);
  out_body_ = std::move(body);
  set_deadline(Clock::now() + core_->options().write_timeout);
  std::array<asio::const_buffer, 2> buffers{asio::buffer(out_head_), asio::buffer(out_body_)};
  asio::async_write(socket_, buffers,
                    [self = shared_from_this(), close_after](const asio::error_code& ec, std::size_t) {
                      if (self->phase_ != Phase::writing) return;
                      self->clear_deadline();
                      if (ec) return self->close();
                      if (close_after || self->draining_) return self->linger_close();
                      // Ready for the next request (maybe already buffered: pipelining).
                      self->parser_.reset();
                      self->continue_sent_ = false;
                      self->first_request_ = false;
                      self->request_started_ = self->head_done_ = Clock::time_point{};
                      self->idle_since_ = Clock::now();
                      if (self->out_body_.capacity() > 64 * 1024) std::string().swap(self->out_body_);
                      else self->out_body_.clear();
                      self->process_input();
                    });
}

// The timer is re-armed lazily: setting a later deadline costs nothing (the
// armed wait fires early, sees the later deadline and waits again), so a
// kept-alive connection touches its timer about once per shortest timeout rather
// than several times per request.
void ServerConnection::set_deadline(Clock::time_point deadline) {
  deadline_ = deadline;
  if (!timer_armed_ || deadline < timer_expiry_) arm_timer(deadline);
}

void ServerConnection::clear_deadline() { deadline_ = Clock::time_point::max(); }

void ServerConnection::arm_timer(Clock::time_point at) {
  const auto& o = core_->options();
  // Checks at least this often while a deadline is set (never busy-looping on
  // a zero timeout).
  auto shortest = std::max(std::chrono::milliseconds(10),
                           std::min({o.header_timeout, o.body_timeout, o.idle_timeout, o.write_timeout}));
  timer_expiry_ = std::min(at, Clock::now() + shortest);
  timer_armed_ = true;
  const std::uint64_t gen = ++timer_gen_;
  timer_.expires_at(timer_expiry_);
  timer_.async_wait([self = shared_from_this(), gen](const asio::error_code& ec) {
    if (gen != self->timer_gen_) return;  // superseded by a newer wait
    self->timer_armed_ = false;
    if (ec || self->phase_ == Phase::closed || self->deadline_ == Clock::time_point::max()) return;
    auto now = Clock::now();
    if (now < self->deadline_) return self->arm_timer(self->deadline_);
    self->clear_deadline();
    self->on_timeout();
  });
}

void ServerConnection::on_timeout() {
  switch (phase_) {
    case Phase::reading:
      if (parser_.idle()) {
        close();  // idle keep-alive connection, or nothing sent at all
      } else {
        core_->count_bad_request();
        asio::error_code ignored;
        socket_.cancel(ignored);  // the pending read completes aborted and is ignored
        send_error(408, "the request did not arrive in time");
      }
      break;
    case Phase::writing:
    case Phase::lingering:
      close();
      break;
    case Phase::handling:
    case Phase::closed:
      break;
  }
}

void ServerConnection::linger_close() {
  phase_ = Phase::lingering;
  asio::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (ec) return close();
  // While the server stops, do not hold it up for long.
  set_deadline(Clock::now() + (draining_ ? kLingerTime / 10 : kLingerTime));
  do_linger_read();
}

void ServerConnection::do_linger_read() {
  socket_.async_read_some(asio::buffer(read_buf_),
                          [self = shared_from_this()](const asio::error_code& ec, std::size_t n) {
                            if (self->phase_ != Phase::lingering) return;
                            self->lingered_ += n;
                            if (ec || self->lingered_ > kMaxLingerBytes) return self->close();
                            self->do_linger_read();
                          });
}

void ServerConnection::close() {
  if (phase_ == Phase::closed) return;
  phase_ = Phase::closed;
  asio::error_code ignored;
  socket_.close(ignored);
  timer_.cancel();
  ++response_gen_;
  core_->remove(this, reject_);
}

}  // namespace famulor::http

// PlainHttp: plain-HTTP requests on Asio with a keep-alive pool per host:port.
#include "net/plain_http.hpp"

#include <asio/bind_executor.hpp>
#include <asio/connect.hpp>
#include <asio/dispatch.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/write.hpp>
#include <array>
#include <cstdlib>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/io_pool_asio.hpp"
#include "http/syntax.hpp"
#include "net/response_parser.hpp"

namespace famulor::net {

void ClientCounters::deliver(HttpClient::Callback done, Result<HttpClientResponse> result) {
  completed++;
  if (done) done(std::move(result));
  done = nullptr;  // release what the callback captured before counting it finished
  if (in_flight.fetch_sub(1) == 1) {
    std::lock_guard<std::mutex> lock(idle_mu);
    idle_cv.notify_all();
  }
}

namespace plain {

using http::is_token;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kCancelPoll{200};  // as the curl path polls cancel hooks
constexpr std::chrono::seconds kMaxIdleAge{118};       // curl's CURLOPT_MAXAGE_CONN default

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v && *v;
}

// No CR, LF or NUL: nothing that could end a header line early.
bool clean_value(std::string_view s) noexcept {
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

// Where a request goes and what its first line and Host field say.
struct Target {
  std::string key;  // connections are pooled by this: authority and pinned addresses
  std::string host_header;
  std::string path;  // origin-form: path and query, no fragment
  std::string effective_url;
  std::vector<tcp::endpoint> endpoints;
};

std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v == 0 || v > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(v);
}

std::optional<asio::ip::address> literal(std::string_view text) {
  asio::error_code ec;
  auto a = asio::ip::make_address(std::string(text), ec);  // inet_pton: strict dotted quads, no zone ids
  if (ec) return std::nullopt;
  return a;
}

// The target of a request this path can send exactly as curl would, or nullopt.
std::optional<Target> plain_target(const HttpClientRequest& r) {
  std::string_view url = r.url;
  if (url.size() < 8 || !iequals(url.substr(0, 7), "http://")) return std::nullopt;
  std::string_view rest = url.substr(7);
  auto auth_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, auth_end);
  std::string_view tail = auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  if (authority.empty() || authority.find_first_of("@%") != std::string_view::npos) return std::nullopt;

  std::string_view host, port_text;
  bool bracketed = authority.front() == '[';
  if (bracketed) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
      if (port_text.empty()) return std::nullopt;
    }
  } else {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return std::nullopt;
    }
  }
  if (host.empty()) return std::nullopt;
  std::uint16_t port = 80;
  if (!port_text.empty()) {
    auto p = parse_port(port_text);
    if (!p) return std::nullopt;
    port = *p;
  }

  tail = tail.substr(0, tail.find('#'));
  for (char ch : tail) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '\\') return std::nullopt;  // curl would encode or refuse these
  }
  Target t;
  t.path = tail.empty() || tail.front() == '?' ? "/" + std::string(tail) : std::string(tail);
  std::string_view path_only = std::string_view(t.path).substr(0, t.path.find('?'));
  if (path_only.find("/./") != std::string_view::npos || path_only.find("/../") != std::string_view::npos ||
      path_only.ends_with("/.") || path_only.ends_with("/.."))
    return std::nullopt;  // curl removes dot segments

  std::string port_str = std::to_string(port);
  std::string pin;
  if (!r.resolve.empty()) {
    // "host:port:addr[,addr]" as the outbound policy pins a checked name.
    std::string prefix = std::string(host) + ":" + port_str + ":";
    for (const std::string& entry : r.resolve) {
      if (entry.size() <= prefix.size() || !iequals(std::string_view(entry).substr(0, prefix.size()), prefix)) continue;
      std::string_view list = std::string_view(entry).substr(prefix.size());
      while (!list.empty()) {
        auto comma = list.find(',');
        std::string_view a = list.substr(0, comma);
        if (a.size() > 2 && a.front() == '[' && a.back() == ']') a = a.substr(1, a.size() - 2);
        auto addr = literal(a);
        if (!addr) return std::nullopt;
        t.endpoints.emplace_back(*addr, port);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
      pin = entry;
      break;
    }
    if (t.endpoints.empty()) return std::nullopt;
  } else {
    auto addr = literal(host);
    if (!addr || (bracketed && !addr->is_v6())) return std::nullopt;  // a name: curl resolves it
    t.endpoints.emplace_back(*addr, port);
  }

  t.host_header = bracketed ? "[" + std::string(host) + "]" : std::string(host);
  if (port != 80) t.host_header += ":" + port_str;
  t.effective_url = "http://" + std::string(authority) + t.path;
  t.key = t.host_header + "|" + pin;
  return t;
}

// The request head and body as curl would write them for this request.
std::optional<std::string> request_bytes(const HttpClientRequest& r, const Target& t, const ClientOptions& o) {
  if (!is_token(r.method) || r.method == "HEAD" || r.method == "CONNECT") return std::nullopt;
  for (const auto& [name, value] : r.headers) {
    if (!is_token(name) || !clean_value(value)) return std::nullopt;  // curl's path reports these
    if (iequals(name, "Host") || iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
        iequals(name, "Connection") || iequals(name, "Expect"))
      return std::nullopt;
  }
  if (!clean_value(r.idempotency_key) || !clean_value(o.user_agent)) return std::nullopt;
  const bool wants_body = !r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
  std::string out;
  out.reserve(192 + t.path.size() + r.body.size() + r.headers.size() * 48);
  out.append(r.method).append(" ").append(t.path).append(" HTTP/1.1\r\nHost: ").append(t.host_header).append("\r\n");
  if (!r.headers.has("User-Agent") && !o.user_agent.empty()) out.append("User-Agent: ").append(o.user_agent).append("\r\n");
  if (!r.headers.has("Accept")) out.append("Accept: */*\r\n");
  for (const auto& [name, value] : r.headers) {
    out.append(name).append(":");
    if (!value.empty()) out.append(" ").append(value);
    out.append("\r\n");
  }
  if (!r.idempotency_key.empty() && !r.headers.has("Idempotency-Key"))
    out.append("Idempotency-Key: ").append(r.idempotency_key).append("\r\n");
  if (wants_body) {
    if (!r.headers.has("Content-Type")) out.append("Content-Type: application/x-www-form-urlencoded\r\n");
    out.append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n");
  }
  out.append("\r\n");
  out.append(r.body);
  return out;
}

struct Conn {
  explicit Conn(asio::io_context& ctx) : sock(ctx) {}
  tcp::socket sock;
  Clock::time_point idle_since;
};

struct Exchange;

}  // namespace plain

struct PlainHttp::State {
  State(detail::IoPool& p, const ClientOptions& o, std::shared_ptr<ClientCounters> c)
      : pool(p), ctx(detail::io_context(p)), opts(o), counters(std::move(c)) {}

  detail::IoPool& pool;
  asio::io_context& ctx;
  ClientOptions opts;
  std::shared_ptr<ClientCounters> counters;
  bool usable = true;  // false when a proxy is configured or curl must limit connections

  std::mutex mu;
  bool closed = false;
  std::unordered_map<std::string, std::vector<std::unique_ptr<plain::Conn>>> idle;
  std::size_t idle_count = 0;
  std::unordered_map<plain::Exchange*, std::weak_ptr<plain::Exchange>> active;

  std::unique_ptr<plain::Conn> take_idle(const std::string& key) {
    std::vector<std::unique_ptr<plain::Conn>> stale;  // closed outside the lock
    std::unique_ptr<plain::Conn> c;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = idle.find(key);
      if (it == idle.end()) return nullptr;
      auto now = plain::Clock::now();
      while (!it->second.empty() && !c) {
        std::unique_ptr<plain::Conn> next = std::move(it->second.back());
        it->second.pop_back();
        --idle_count;
        if (now - next->idle_since > plain::kMaxIdleAge) stale.push_back(std::move(next));
        else c = std::move(next);
      }
    }
    return c;
  }

  void put_idle(const std::string& key, std::unique_ptr<plain::Conn> c) {
    c->idle_since = plain::Clock::now();
    std::lock_guard<std::mutex> lock(mu);
    if (closed || (opts.max_idle_connections > 0 && idle_count >= static_cast<std::size_t>(opts.max_idle_connections)))
      return;  // c closes as it goes out of scope
    idle[key].push_back(std::move(c));
    ++idle_count;
  }
};

namespace plain {

// One request from start to callback; every step runs on its strand.
struct Exchange : std::enable_shared_from_this<Exchange> {
  Exchange(std::shared_ptr<PlainHttp::State> s, HttpClientRequest r, HttpClient::Callback d, Target t,
           std::string bytes)
      : st(std::move(s)),
        req(std::move(r)),
        done(std::move(d)),
        target(std::move(t)),
        out(std::move(bytes)),
        strand(asio::make_strand(st->ctx)),
        timer(strand),
        max_bytes(req.max_response_bytes ? req.max_response_bytes : st->opts.max_response_bytes),
        parser(max_bytes) {}

  std::shared_ptr<PlainHttp::State> st;
  HttpClientRequest req;
  HttpClient::Callback done;
  Target target;
  std::string out;
  asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer timer;
  std::size_t max_bytes;
  ResponseParser parser;
  std::unique_ptr<Conn> conn;
  Clock::time_point t0, deadline, connect_deadline;
  bool connecting = false;
  bool reused = false;
  bool retried = false;
  bool got_bytes = false;
  bool finished = false;
  std::array<char, 16 * 1024> buf;

  std::string describe() const { return req.method + " " + req.url.substr(0, req.url.find_first_of("?#")); }

  void begin() {
    t0 = Clock::now();
    auto total = req.timeout.count() > 0 ? req.timeout : st->opts.timeout;
    deadline = t0 + total;
    Status early;
    if (req.cancelled && req.cancelled()) {
      early = Status(StatusCode::cancelled, describe() + ": cancelled");
    } else {
      std::lock_guard<std::mutex> lock(st->mu);
      if (st->closed) early = Status(StatusCode::cancelled, describe() + ": the HTTP client shut down");
      else st->active.emplace(this, weak_from_this());
    }
    if (!early.ok()) {
      // Never call back inside send(): the caller may hold a lock.
      asio::post(strand, [self = shared_from_this(), early]() mutable { self->end(std::move(early), false); });
      return;
    }
    conn = st->take_idle(target.key);
    if (conn) {
      reused = true;
      arm_timer();
      write();
    } else {
      open_connection();
    }
  }

  void arm_timer() {
    auto when = deadline;
    if (connecting && connect_deadline < when) when = connect_deadline;
    if (req.cancelled) when = std::min(when, Clock::now() + kCancelPoll);
    timer.expires_at(when);
    timer.async_wait([self = shared_from_this()](const asio::error_code& ec) { self->on_timer(ec); });
  }

  void on_timer(const asio::error_code& ec) {
    if (ec || finished) return;
    auto now = Clock::now();
    if (req.cancelled && req.cancelled()) return end(Status(StatusCode::cancelled, describe() + ": cancelled"), false);
    if (now >= deadline) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - t0).count();
      return end(Status(StatusCode::deadline_exceeded,
                        describe() + ": timed out after " + std::to_string(ms) + " ms (" +
                            (got_bytes ? "part of the response received)" : "no response received)")),
                 false);
    }
    if (connecting && now >= connect_deadline)
      return end(Status(StatusCode::deadline_exceeded, describe() + ": connection to " + target.host_header + " timed out"),
                 false);
    arm_timer();
  }

  void open_connection() {
    connecting = true;
    auto connect_timeout = req.connect_timeout.count() > 0 ? req.connect_timeout : st->opts.connect_timeout;
    connect_deadline = Clock::now() + connect_timeout;
    conn = std::make_unique<Conn>(st->ctx);
    arm_timer();
    asio::async_connect(conn->sock, target.endpoints,
                        asio::bind_executor(strand, [self = shared_from_this()](const asio::error_code& ec,
                                                                               const tcp::endpoint&) {
                          self->on_connected(ec);
                        }));
  }

  void on_connected(const asio::error_code& ec) {
    if (finished) return;
    connecting = false;
    if (ec)
      return end(unavailable(describe() + ": cannot connect to " + target.host_header + ": " + ec.message()), false);
    st->counters->connections++;
    asio::error_code ignored;
    conn->sock.set_option(tcp::no_delay(true), ignored);
    write();
  }

  void write() {
    asio::async_write(conn->sock, asio::buffer(out),
                      asio::bind_executor(strand, [self = shared_from_this()](const asio::error_code& ec, std::size_t) {
                        if (self->finished) return;
                        if (ec) return self->retry_or_fail(ec);
                        self->read();
                      }));
  }

  void read() {
    conn->sock.async_read_some(asio::buffer(buf), asio::bind_executor(strand, [self = shared_from_this()](
                                                                            const asio::error_code& ec, std::size_t n) {
                                 self->on_read(ec, n);
                               }));
  }

  void on_read(const asio::error_code& ec, std::size_t n) {
    if (finished) return;
    if (n > 0) {
      got_bytes = true;
      std::size_t used = parser.feed(std::string_view(buf.data(), n));
      if (parser.too_large())
        return end(Status(StatusCode::resource_exhausted, describe() + ": response body exceeds the limit of " +
                                                              std::to_string(max_bytes) + " bytes (max_response_bytes)"),
                   false);
      if (parser.failed()) return end(unavailable(describe() + ": " + parser.error()), false);
      if (parser.complete()) return succeed(used == n && !ec);
    }
    if (ec) {
      if (!got_bytes) return retry_or_fail(ec);
      if (ec == asio::error::eof) {
        parser.end_of_stream();
        if (parser.complete()) return succeed(false);
        return end(unavailable(describe() + ": " + parser.error()), false);
      }
      return end(unavailable(describe() + ": " + ec.message()), false);
    }
    read();
  }

  // A reused connection the server had closed fails before any byte of the
  // response arrives: send once more on a new connection. Anything else fails.
  void retry_or_fail(const asio::error_code& ec) {
    if (reused && !retried && !got_bytes) {
      retried = true;
      reused = false;
      asio::error_code ignored;
      conn->sock.close(ignored);
      conn.reset();
      parser = ResponseParser(max_bytes);
      return open_connection();
    }
    std::string what = ec == asio::error::eof ? "Empty reply from server" : ec.message();
    end(unavailable(describe() + ": " + what), false);
  }

  void succeed(bool reusable) {
    HttpClientResponse& resp = parser.response();
    resp.total_time = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
    resp.http_version = parser.http_version();
    resp.effective_url = target.effective_url;
    end(std::move(resp), reusable && parser.keep_alive());
  }

  void end(Result<HttpClientResponse> result, bool keep_connection) {
    if (finished) return;
    finished = true;
    timer.cancel();
    {
      std::lock_guard<std::mutex> lock(st->mu);
      st->active.erase(this);
    }
    if (conn) {
      if (keep_connection) {
        st->put_idle(target.key, std::move(conn));
      } else {
        asio::error_code ignored;
        conn->sock.close(ignored);  // pending operations end with operation_aborted
        // The socket stays allocated until those handlers ran (they hold `self`).
      }
    }
    st->counters->deliver(std::move(done), std::move(result));
  }
};

}  // namespace plain

PlainHttp::PlainHttp(detail::IoPool& pool, const ClientOptions& options, std::shared_ptr<ClientCounters> counters)
    : state_(std::make_shared<State>(pool, options, std::move(counters))) {
  // curl reads http_proxy (lower case only, for http) and all_proxy / ALL_PROXY;
  // with any of them set, or a proxy configured, every request goes to curl.
  bool proxied = options.proxy ? !options.proxy->empty()
                               : plain::env_set("http_proxy") || plain::env_set("all_proxy") || plain::env_set("ALL_PROXY");
  state_->usable = !proxied && options.max_host_connections <= 0 && options.max_total_connections <= 0;
}

PlainHttp::~PlainHttp() { shutdown(); }

bool PlainHttp::try_send(HttpClientRequest& request, HttpClient::Callback& done) {
  State& s = *state_;
  if (!s.usable || request.follow_redirects || !s.pool.running()) return false;
  auto target = plain::plain_target(request);
  if (!target) return false;
  auto bytes = plain::request_bytes(request, *target, s.opts);
  if (!bytes) return false;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.closed) return false;
  }
  auto ex = std::make_shared<plain::Exchange>(state_, std::move(request), std::move(done), std::move(*target),
                                              std::move(*bytes));
  // On a pool thread this runs at once, inside the exchange's strand.
  asio::dispatch(ex->strand, [ex] { ex->begin(); });
  return true;
}

void PlainHttp::shutdown() {
  std::vector<std::shared_ptr<plain::Exchange>> running;
  std::unordered_map<std::string, std::vector<std::unique_ptr<plain::Conn>>> idle;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->closed) return;
    state_->closed = true;
    for (auto& [raw, weak] : state_->active)
      if (auto ex = weak.lock()) running.push_back(std::move(ex));
    idle.swap(state_->idle);
    state_->idle_count = 0;
  }
  for (auto& ex : running) {
    auto stop = [ex] { ex->end(Status(StatusCode::cancelled, ex->describe() + ": the HTTP client shut down"), false); };
    if (state_->pool.running()) asio::post(ex->strand, stop);
    else stop();  // nothing else runs without the pool
  }
}

}  // namespace famulor::net

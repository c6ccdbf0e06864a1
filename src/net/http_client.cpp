// HttpClient: libcurl's multi-socket interface driven by the IoPool's io_context.
//
// curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to wake
// it (CURLMOPT_TIMERFUNCTION). Each watched socket is wrapped in an Asio
// stream_descriptor that only waits for readiness. A socket stays registered while
// its connection idles in curl's cache; when curl closes it (our
// CURLOPT_CLOSESOCKETFUNCTION) the descriptor is released first, so Asio never
// closes curl's socket and never watches a stale one. Every curl call runs on one
// strand; completed transfers are handed to their callbacks on the pool, off it.
#include "net/http_client.hpp"

#include <curl/curl.h>

#include <asio/bind_executor.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include <unistd.h>

#include "common/io_pool_asio.hpp"
#include "net/http_transfer.hpp"
#include "net/plain_http.hpp"

namespace famulor::net {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One socket curl asked us to watch.
struct Sock {
  Sock(asio::io_context& ctx, curl_socket_t s) : sd(ctx), fd(s) {}
  asio::posix::stream_descriptor sd;
  curl_socket_t fd;
  int what = 0;  // CURL_POLL_IN / OUT / INOUT
  bool reading = false;
  bool writing = false;
  bool removed = false;
};

constexpr std::size_t kMaxSpareHandles = 1024;
constexpr std::chrono::milliseconds kCancelPoll{200};

}  // namespace

struct HttpClient::Impl : std::enable_shared_from_this<Impl> {
  Impl(detail::IoPool& p, ClientOptions o)
      : pool(p),
        ctx(detail::io_context(p)),
        opts(std::move(o)),
        strand(asio::make_strand(ctx)),
        timer(ctx),
        cancel_timer(ctx),
        counters(std::make_shared<ClientCounters>()) {
    if (opts.direct_plain_http) plain = std::make_unique<PlainHttp>(pool, opts, counters);
  }
  ~Impl() { shutdown(); }

  detail::IoPool& pool;
  asio::io_context& ctx;
  ClientOptions opts;
  asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer timer;
  asio::steady_timer cancel_timer;  // polls cancel hooks while any transfer has one

  // ---- strand only ----
  CURLM* multi = nullptr;
  std::unordered_map<curl_socket_t, std::shared_ptr<Sock>> socks;
  std::unordered_set<Transfer*> active;  // owned: added to the multi handle
  std::vector<CURL*> spare;              // easy handles for reuse
  bool closed = false;
  bool kick_pending = false;  // a 0 ms timeout is posted
  bool timer_armed = false;   // `timer` waits for timer_deadline
  std::chrono::steady_clock::time_point timer_deadline;
  std::uint64_t timer_gen = 0;
  std::size_t hooked = 0;  // active transfers with a cancel hook
  bool cancel_timer_armed = false;

  // ---- any thread ----
  std::atomic<bool> closing{false};
  std::shared_ptr<ClientCounters> counters;  // shared with the plain-HTTP path
  std::unique_ptr<PlainHttp> plain;          // null when ClientOptions::direct_plain_http is off

  void init_multi();
  void start(std::unique_ptr<Transfer> t);
  void deliver(std::unique_ptr<Transfer> t, Result<HttpClientResponse> result);
  void check_done();
  void arm(const std::shared_ptr<Sock>& s);
  void on_ready(const std::shared_ptr<Sock>& s, int dir, const asio::error_code& ec);
  void on_timeout();
  void arm_cancel_poll();
  void poll_cancelled();
  void finish(Transfer* raw, Status why);
  void release(Sock& s);
  void shutdown();

  static int socket_cb(CURL* easy, curl_socket_t fd, int what, void* userp, void* sockp);
  static int close_cb(void* userp, curl_socket_t fd);
  static int timer_cb(CURLM* multi, long timeout_ms, void* userp);
};

void HttpClient::Impl::init_multi() {
  multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::socket_cb);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::timer_cb);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  if (opts.max_host_connections > 0)
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, opts.max_host_connections);
  if (opts.max_total_connections > 0)
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, opts.max_total_connections);
  if (opts.max_idle_connections > 0) curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, opts.max_idle_connections);
}

// ---- curl's callbacks (called inside curl calls, so on the strand) ----

int HttpClient::Impl::close_cb(void* userp, curl_socket_t fd) {
  auto* im = static_cast<Impl*>(userp);
  if (auto it = im->socks.find(fd); it != im->socks.end()) {
    im->release(*it->second);
    im->socks.erase(it);
  }
  return ::close(fd);
}

int HttpClient::Impl::socket_cb(CURL*, curl_socket_t fd, int what, void* userp, void*) {
  auto* im = static_cast<Impl*>(userp);
  auto it = im->socks.find(fd);
  if (what == CURL_POLL_REMOVE) {
    // Not interesting for now (e.g. an idle kept-alive connection). The descriptor
    // stays registered until curl closes the socket (close_cb), so reusing the
    // connection costs no epoll registration.
    if (it != im->socks.end()) it->second->what = 0;
    return 0;
  }
  if (im->closed) return 0;
  if (it == im->socks.end()) {
    auto s = std::make_shared<Sock>(im->ctx, fd);
    asio::error_code ec;
    s->sd.assign(fd, ec);
    if (ec) return -1;  // curl fails the transfers on this socket
    it = im->socks.emplace(fd, std::move(s)).first;
  }
  it->second->what = what;
  im->arm(it->second);
  return 0;
}

// curl's timer asks "call me back in N ms" after nearly every step. Re-arming an
// Asio timer each time costs a timerfd_settime syscall, so: 0 ms is a post to the
// strand, and a later deadline than the one already armed keeps the earlier one
// (curl takes an early wake-up in its stride and asks again).
int HttpClient::Impl::timer_cb(CURLM*, long timeout_ms, void* userp) {
  auto* im = static_cast<Impl*>(userp);
  if (im->closed || timeout_ms < 0) return 0;
  if (timeout_ms == 0) {
    if (!im->kick_pending) {
      im->kick_pending = true;
      asio::post(im->strand, [self = im->shared_from_this()] {
        self->kick_pending = false;
        self->on_timeout();
      });
    }
    return 0;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  if (im->timer_armed && im->timer_deadline <= deadline) return 0;
  im->timer_armed = true;
  im->timer_deadline = deadline;
  std::uint64_t gen = ++im->timer_gen;
  im->timer.expires_at(deadline);
  im->timer.async_wait(asio::bind_executor(im->strand, [self = im->shared_from_this(), gen](const asio::error_code& ec) {
    if (ec) return;
    if (gen == self->timer_gen) self->timer_armed = false;
    self->on_timeout();
  }));
  return 0;
}

// ---- socket readiness ----

void HttpClient::Impl::arm(const std::shared_ptr<Sock>& s) {
  if ((s->what & CURL_POLL_IN) && !s->reading) {
    s->reading = true;
    s->sd.async_wait(asio::posix::stream_descriptor::wait_read,
                     asio::bind_executor(strand, [self = shared_from_this(), s](const asio::error_code& ec) {
                       self->on_ready(s, CURL_CSELECT_IN, ec);
                     }));
  }
  if ((s->what & CURL_POLL_OUT) && !s->writing) {
    s->writing = true;
    s->sd.async_wait(asio::posix::stream_descriptor::wait_write,
                     asio::bind_executor(strand, [self = shared_from_this(), s](const asio::error_code& ec) {
                       self->on_ready(s, CURL_CSELECT_OUT, ec);
                     }));
  }
}

void HttpClient::Impl::on_ready(const std::shared_ptr<Sock>& s, int dir, const asio::error_code& ec) {
  (dir == CURL_CSELECT_IN ? s->reading : s->writing) = false;
  if (closed || s->removed || ec == asio::error::operation_aborted) return;
  // Not wanted any more (curl changed its mind since): nothing to report.
  if (!(s->what & (dir == CURL_CSELECT_IN ? CURL_POLL_IN : CURL_POLL_OUT))) return;
  int running = 0;
  curl_multi_socket_action(multi, s->fd, dir | (ec ? CURL_CSELECT_ERR : 0), &running);
  check_done();
  if (!s->removed && !closed) arm(s);
}

void HttpClient::Impl::on_timeout() {
  if (closed) return;
  int running = 0;
  curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
  check_done();
}

void HttpClient::Impl::release(Sock& s) {
  s.removed = true;
  // Stops watching without closing: the socket is curl's. Pending waits end with
  // operation_aborted.
  if (s.sd.is_open()) s.sd.release();
}

// ---- transfers ----

void HttpClient::Impl::start(std::unique_ptr<Transfer> t) {
  if (closed) {
    deliver(std::move(t), Status(StatusCode::cancelled, "HTTP client shut down"));
    return;
  }
  CURL* e = nullptr;
  if (!spare.empty()) {
    e = spare.back();
    spare.pop_back();
  } else {
    e = curl_easy_init();
    if (!e) {
      deliver(std::move(t), internal_error("curl_easy_init failed"));
      return;
    }
  }
  Status st = configure(e, *t, opts);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &Impl::close_cb);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, this);
  CURLMcode mc = CURLM_OK;
  if (st.ok()) {
    mc = curl_multi_add_handle(multi, e);
    if (mc != CURLM_OK) st = internal_error(std::string("curl_multi_add_handle: ") + curl_multi_strerror(mc));
  }
  if (!st.ok()) {
    curl_easy_cleanup(e);
    deliver(std::move(t), std::move(st));
    return;
  }
  t->easy = e;
  if (t->request.cancelled) {
    ++hooked;
    arm_cancel_poll();
  }
  active.insert(t.release());
}

void HttpClient::Impl::check_done() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* e = msg->easy_handle;
    CURLcode rc = msg->data.result;  // read before removing: msg dies with the handle's state
    Transfer* raw = nullptr;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, &raw);
    std::unique_ptr<Transfer> t(raw);
    active.erase(raw);
    if (t->request.cancelled) --hooked;
    long fresh = 0;
    curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &fresh);
    counters->connections += static_cast<std::uint64_t>(fresh);
    Result<HttpClientResponse> result = outcome(e, *t, rc);
    curl_multi_remove_handle(multi, e);
    if (spare.size() < kMaxSpareHandles) {
      curl_easy_reset(e);
      spare.push_back(e);
    } else {
      curl_easy_cleanup(e);
    }
    deliver(std::move(t), std::move(result));
  }
}

void HttpClient::Impl::deliver(std::unique_ptr<Transfer> t, Result<HttpClientResponse> result) {
  HttpClient::Callback done = std::move(t->done);
  t.reset();
  if (!pool.running()) {
    // Shutting down without the pool (or while it drains): nothing else runs, and
    // a posted callback might never run, so deliver here.
    counters->deliver(std::move(done), std::move(result));
    return;
  }
  std::shared_ptr<Impl> self = weak_from_this().lock();
  if (!self) return;  // destroyed with a context that never ran again: nobody to call
  asio::post(ctx, [self = std::move(self), done = std::move(done), result = std::move(result)]() mutable {
    self->counters->deliver(std::move(done), std::move(result));
  });
}

// A cancel hook is also polled by curl's progress callback, but that only runs
// when the transfer sees traffic; a request waiting on a silent server is
// noticed here, within kCancelPoll.
void HttpClient::Impl::arm_cancel_poll() {
  if (cancel_timer_armed || closed) return;
  cancel_timer_armed = true;
  cancel_timer.expires_after(kCancelPoll);
  cancel_timer.async_wait(asio::bind_executor(strand, [self = shared_from_this()](const asio::error_code& ec) {
    self->cancel_timer_armed = false;
    if (!ec) self->poll_cancelled();
  }));
}

void HttpClient::Impl::poll_cancelled() {
  if (closed) return;
  std::vector<Transfer*> doomed;
  for (Transfer* t : active)
    if (t->request.cancelled && t->request.cancelled()) doomed.push_back(t);
  for (Transfer* t : doomed) {
    t->cancelled = true;
    finish(t, Status(StatusCode::cancelled, t->request.method + " " + t->request.url.substr(0, t->request.url.find_first_of("?#")) + ": cancelled"));
  }
  if (hooked > 0) arm_cancel_poll();
}

// Takes an active transfer out of curl and completes it with `why`.
void HttpClient::Impl::finish(Transfer* raw, Status why) {
  std::unique_ptr<Transfer> t(raw);
  active.erase(raw);
  if (t->request.cancelled) --hooked;
  curl_multi_remove_handle(multi, t->easy);
  curl_easy_cleanup(t->easy);  // its connection may be mid-request: not reused
  t->easy = nullptr;
  deliver(std::move(t), std::move(why));
}

void HttpClient::Impl::shutdown() {
  if (closed) return;
  closed = true;
  timer.cancel();
  cancel_timer.cancel();
  std::vector<Transfer*> running(active.begin(), active.end());
  for (Transfer* raw : running) {
    std::string what = raw->request.method + " " + raw->request.url.substr(0, raw->request.url.find_first_of("?#"));
    finish(raw, Status(StatusCode::cancelled, what + ": the HTTP client shut down"));
  }
  for (CURL* e : spare) curl_easy_cleanup(e);
  spare.clear();
  if (multi) curl_multi_cleanup(multi);  // closes cached connections (REMOVE callbacks)
  multi = nullptr;
  for (auto& entry : socks) release(*entry.second);
  socks.clear();
}

// ---- HttpClient ----

HttpClient::HttpClient(detail::IoPool& pool, ClientOptions options) {
  global_init();
  impl_ = std::make_shared<Impl>(pool, std::move(options));
  impl_->init_multi();
}

HttpClient::~HttpClient() {
  std::shared_ptr<Impl> im = impl_;
  im->closing = true;
  if (im->plain) im->plain->shutdown();  // posts `cancelled` to its exchanges (or delivers it here without the pool)
  if (!im->pool.running()) {
    im->shutdown();  // nothing runs on the strand without the pool
    return;
  }
  if (im->pool.running_in_this_thread()) {
    // Waiting here could block the thread the shutdown needs; it runs soon after.
    asio::post(im->strand, [im] { im->shutdown(); });
    return;
  }
  std::promise<void> stopped;
  asio::post(im->strand, [im, &stopped] {
    im->shutdown();
    stopped.set_value();
  });
  stopped.get_future().wait();
  ClientCounters& c = *im->counters;
  std::unique_lock<std::mutex> lock(c.idle_mu);
  while (!c.idle_cv.wait_for(lock, std::chrono::milliseconds(50),
                             [&] { return c.in_flight.load() == 0 || !im->pool.running(); })) {
  }
}

void HttpClient::send(HttpClientRequest request, Callback done) {
  Impl& im = *impl_;
  im.counters->in_flight++;
  im.counters->started++;
  if (im.plain && im.plain->try_send(request, done)) return;
  auto t = std::make_unique<Transfer>();
  t->request = std::move(request);
  t->done = std::move(done);
  asio::post(im.strand, [self = impl_, t = std::move(t)]() mutable { self->start(std::move(t)); });
}

Result<HttpClientResponse> HttpClient::send_sync(HttpClientRequest request) {
  if (impl_->pool.running_in_this_thread())
    return failed_precondition("HttpClient::send_sync called on a pool thread (it would block the pool)");
  if (!impl_->pool.running()) return failed_precondition("HttpClient::send_sync: the IoPool is not running");
  std::promise<Result<HttpClientResponse>> promise;
  auto future = promise.get_future();
  send(std::move(request), [&promise](Result<HttpClientResponse> r) { promise.set_value(std::move(r)); });
  return future.get();
}

ClientStats HttpClient::stats() const {
  ClientStats s;
  const ClientCounters& c = *impl_->counters;
  s.started = c.started.load();
  s.completed = c.completed.load();
  s.connections_opened = c.connections.load();
  s.in_flight = c.in_flight.load();
  return s;
}

const ClientOptions& HttpClient::options() const noexcept { return impl_->opts; }

}  // namespace famulor::net

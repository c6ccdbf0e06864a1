#include "loopback_server.hpp"

#include <asio/bind_executor.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/strand.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <cctype>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace famulor::test {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

}  // namespace

std::string ServerRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequal(k, name)) return v;
  return {};
}

struct LoopbackServer::Core : std::enable_shared_from_this<LoopbackServer::Core> {
  explicit Core(Handler h) : handler(std::move(h)), acceptor(ctx) {}
  Handler handler;
  asio::io_context ctx;
  asio::ip::tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> accepted{0}, served{0};
  std::mutex mu;
  std::unordered_map<std::uint64_t, std::weak_ptr<Responder::Conn>> conns;
  std::uint16_t port = 0;

  void accept();
};

struct Responder::Conn : std::enable_shared_from_this<Responder::Conn> {
  Conn(std::shared_ptr<LoopbackServer::Core> c, asio::ip::tcp::socket s, std::uint64_t n)
      : core(std::move(c)), strand(asio::make_strand(core->ctx)), sock(std::move(s)), id(n) {}
  ~Conn() {
    std::lock_guard<std::mutex> lock(core->mu);
    core->conns.erase(id);
  }

  std::shared_ptr<LoopbackServer::Core> core;  // declared first: destroyed after the socket
  asio::strand<asio::io_context::executor_type> strand;
  asio::ip::tcp::socket sock;
  std::uint64_t id;
  std::string in;
  std::string out;
  std::size_t consumed = 0;  // bytes of `in` that belong to the request being answered
  bool answering = false;
  char chunk[16384];

  void read() {
    if (core->stopping) return;
    sock.async_read_some(asio::buffer(chunk), asio::bind_executor(strand, [self = shared_from_this()](
                                                                               asio::error_code ec, std::size_t n) {
                           if (ec) return;
                           self->in.append(self->chunk, n);
                           self->parse();
                         }));
  }

  // Dispatches the request at the front of `in`, or reads more.
  void parse() {
    auto end = in.find("\r\n\r\n");
    if (end == std::string::npos) return read();
    ServerRequest req;
    req.connection = id;
    std::string_view head(in.data(), end);
    auto line_end = head.find("\r\n");
    std::string_view first = head.substr(0, line_end);
    auto sp1 = first.find(' ');
    auto sp2 = first.find(' ', sp1 + 1);
    req.method = std::string(first.substr(0, sp1));
    req.target = std::string(first.substr(sp1 + 1, sp2 - sp1 - 1));
    std::size_t length = 0;
    std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      auto next = head.find("\r\n", pos);
      if (next == std::string_view::npos) next = head.size();
      std::string_view line = head.substr(pos, next - pos);
      auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        req.headers.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
        if (iequal(req.headers.back().first, "content-length")) length = std::stoul(req.headers.back().second);
      }
      pos = next + 2;
    }
    if (in.size() < end + 4 + length) return read();
    req.body = in.substr(end + 4, length);
    consumed = end + 4 + length;
    answering = true;
    core->served++;
    core->handler(req, Responder(shared_from_this()));
  }

  void send(ServerReply r) {
    if (!answering || core->stopping) return;
    answering = false;
    out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason(r.status) + "\r\n";
    bool has_type = false;
    for (const auto& [k, v] : r.headers) {
      out += k + ": " + v + "\r\n";
      if (iequal(k, "content-type")) has_type = true;
    }
    if (!has_type && !r.body.empty()) out += "Content-Type: application/json\r\n";
    out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n";
    out += r.body;
    asio::async_write(sock, asio::buffer(out), asio::bind_executor(strand, [self = shared_from_this()](
                                                                                asio::error_code ec, std::size_t) {
                        if (ec) return;
                        self->in.erase(0, self->consumed);
                        self->consumed = 0;
                        self->parse();
                      }));
  }
};

void LoopbackServer::Core::accept() {
  acceptor.async_accept([this](asio::error_code ec, asio::ip::tcp::socket s) {
    if (ec || stopping) return;
    s.set_option(asio::ip::tcp::no_delay(true));
    std::uint64_t id = ++accepted;
    std::shared_ptr<Responder::Conn> conn;
    {
      std::lock_guard<std::mutex> lock(mu);
      conn = std::make_shared<Responder::Conn>(shared_from_this(), std::move(s), id);
      conns.emplace(id, conn);
    }
    asio::post(conn->strand, [conn] { conn->read(); });
    accept();
  });
}

void Responder::reply(ServerReply r) const {
  if (!conn_ || conn_->core->stopping) return;
  asio::post(conn_->strand, [c = conn_, r = std::move(r)]() mutable { c->send(std::move(r)); });
}

void Responder::close() const {
  if (!conn_ || conn_->core->stopping) return;
  asio::post(conn_->strand, [c = conn_] {
    asio::error_code ec;
    c->sock.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    c->sock.close(ec);
  });
}

LoopbackServer::LoopbackServer(Handler handler, unsigned threads) : core_(std::make_shared<Core>(std::move(handler))) {
  asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  core_->acceptor.open(ep.protocol());
  core_->acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true));
  core_->acceptor.bind(ep);
  core_->acceptor.listen(asio::socket_base::max_listen_connections);
  core_->port = core_->acceptor.local_endpoint().port();
  core_->accept();
  for (unsigned i = 0; i < threads; ++i) core_->threads.emplace_back([c = core_.get()] { c->ctx.run(); });
}

LoopbackServer::~LoopbackServer() {
  core_->stopping = true;
  core_->ctx.stop();
  for (auto& t : core_->threads) t.join();
  asio::error_code ec;
  core_->acceptor.close(ec);
  std::vector<std::shared_ptr<Responder::Conn>> live;
  {
    std::lock_guard<std::mutex> lock(core_->mu);
    for (auto& [id, weak] : core_->conns)
      if (auto c = weak.lock()) live.push_back(std::move(c));
  }
  for (auto& c : live) c->sock.close(ec);
  live.clear();
  // Run the cancelled handlers so that none keeps a connection (and this core) alive.
  core_->ctx.restart();
  while (core_->ctx.poll() > 0) {
  }
}

std::uint16_t LoopbackServer::port() const { return core_->port; }
std::string LoopbackServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(core_->port) + std::string(path);
}
std::uint64_t LoopbackServer::connections() const { return core_->accepted.load(); }
std::uint64_t LoopbackServer::requests() const { return core_->served.load(); }

LoopbackServer::Handler always(ServerReply reply) {
  return [reply = std::move(reply)](const ServerRequest&, Responder r) { r.reply(reply); };
}

}  // namespace famulor::test

// The HttpClient's direct plain-HTTP path (net/plain_http.hpp) against a scripted
// server that writes exact bytes: chunked and until-close bodies, interim
// responses, an idle keep-alive connection the server closed (sent again once),
// a reused connection that breaks mid-response (not sent again), limits; which
// requests still go to curl; and the ResponseParser fed byte by byte.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/io_pool.hpp"
#include "loopback_server.hpp"
#include "net/http_client.hpp"
#include "net/response_parser.hpp"

using famulor::StatusCode;
using famulor::detail::IoPool;
using famulor::net::HttpClient;
using famulor::net::HttpClientRequest;
using famulor::net::ResponseParser;

namespace {

// Answers 200 "ok" and keeps every request it saw (read once the calls are done).
struct Recorder {
  std::mutex mu;
  std::vector<famulor::test::ServerRequest> seen;
  auto handler() {
    return [this](const famulor::test::ServerRequest& req, famulor::test::Responder r) {
      {
        std::lock_guard<std::mutex> lock(mu);
        seen.push_back(req);
      }
      r.reply({200, {}, "ok"});
    };
  }
};

// What the scripted server does with one request.
struct Answer {
  std::string bytes;   // written as they are
  bool close = false;  // then close the connection
};

// A one-thread server on 127.0.0.1 that reads whole requests (head and a
// Content-Length body) and answers each with script(connection, request).
class ScriptedServer {
 public:
  using Script = std::function<Answer(int connection, const std::string& request)>;

  explicit ScriptedServer(Script script) : script_(std::move(script)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(listen_fd_, 16) == 0);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    REQUIRE(::pipe(wake_) == 0);
    thread_ = std::thread([this] { loop(); });
  }
  ~ScriptedServer() {
    char c = 'x';
    (void)!::write(wake_[1], &c, 1);
    thread_.join();
    for (auto& c2 : conns_)
      if (c2.fd >= 0) ::close(c2.fd);
    ::close(listen_fd_);
    ::close(wake_[0]);
    ::close(wake_[1]);
  }

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::uint16_t port() const { return port_; }
  int connections() {
    std::lock_guard<std::mutex> lock(mu_);
    return accepted_;
  }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  struct Conn {
    int fd;
    int id;
    std::string buf;
  };

  void loop() {
    while (true) {
      std::vector<pollfd> fds{{wake_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
      for (auto& c : conns_) fds.push_back({c.fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), -1) < 0) continue;
      if (fds[0].revents) return;
      if (fds[1].revents & POLLIN) {
        int fd = ::accept(listen_fd_, nullptr, nullptr);
        if (fd >= 0) {
          std::lock_guard<std::mutex> lock(mu_);
          conns_.push_back({fd, accepted_++, {}});
        }
      }
      for (std::size_t i = 2; i < fds.size(); ++i) {
        if (!fds[i].revents) continue;
        Conn& c = conns_[i - 2];
        char buf[4096];
        ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n <= 0) {
          ::close(c.fd);
          c.fd = -1;
          continue;
        }
        c.buf.append(buf, static_cast<std::size_t>(n));
        while (c.fd >= 0) {
          auto end = c.buf.find("\r\n\r\n");
          if (end == std::string::npos) break;
          std::size_t length = 0;
          auto cl = c.buf.find("Content-Length: ");
          if (cl != std::string::npos && cl < end) length = std::stoul(c.buf.substr(cl + 16));
          if (c.buf.size() < end + 4 + length) break;
          std::string request = c.buf.substr(0, end + 4 + length);
          c.buf.erase(0, end + 4 + length);
          {
            std::lock_guard<std::mutex> lock(mu_);
            requests_.push_back(request);
          }
          Answer a = script_(c.id, request);
          (void)!::send(c.fd, a.bytes.data(), a.bytes.size(), MSG_NOSIGNAL);
          if (a.close) {
            ::close(c.fd);
            c.fd = -1;
          }
        }
      }
      std::erase_if(conns_, [](const Conn& c) { return c.fd < 0; });
    }
  }

  Script script_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::vector<Conn> conns_;  // server thread only
  std::mutex mu_;
  int accepted_ = 0;
  std::vector<std::string> requests_;
};

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

HttpClientRequest get(std::string url) {
  HttpClientRequest r;
  r.url = std::move(url);
  return r;
}

}  // namespace

TEST_CASE("plain http: a chunked response is read whole and its connection reused", "[client][plain]") {
  ScriptedServer server([](int, const std::string&) {
    return Answer{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
                  "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"};
  });
  IoPool pool(2);
  pool.start();
  HttpClient client(pool);
  for (int i = 0; i < 3; ++i) {
    auto res = client.send_sync(get(server.url("/chunks")));
    REQUIRE(res.ok());
    CHECK(res->status == 200);
    CHECK(res->body == "hello world");
    CHECK(res->headers.get("content-type") == "text/plain");
  }
  CHECK(server.connections() == 1);
  CHECK(client.stats().connections_opened == 1);
  CHECK(server.requests()[0].find("Accept-Encoding") == std::string::npos);  // not curl
}

TEST_CASE("plain http: a body without a length runs until the server closes", "[client][plain]") {
  ScriptedServer server([](int, const std::string&) { return Answer{"HTTP/1.1 200 OK\r\n\r\nuntil the end", true}; });
  IoPool pool(2);
  pool.start();
  HttpClient client(pool);
  for (int i = 0; i < 2; ++i) {
    auto res = client.send_sync(get(server.url("/")));
    REQUIRE(res.ok());
    CHECK(res->body == "until the end");
  }
  CHECK(client.stats().connections_opened == 2);  // such a connection is never reused
}

TEST_CASE("plain http: interim 1xx responses are skipped, 204 has no body", "[client][plain]") {
  ScriptedServer server([](int, const std::string& req) {
    if (req.find("/empty") != std::string::npos) return Answer{"HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n"};
    return Answer{"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                  "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"};
  });
  IoPool pool(2);
  pool.start();
  HttpClient client(pool);
  auto res = client.send_sync(get(server.url("/")));
  REQUIRE(res.ok());
  CHECK(res->status == 201);
  CHECK(res->body == "ok");
  CHECK_FALSE(res->headers.has("Link"));  // the final response's fields only
  auto empty = client.send_sync(get(server.url("/empty")));
  REQUIRE(empty.ok());
  CHECK(empty->status == 204);
  CHECK(empty->body.empty());
  CHECK(server.connections() == 1);
}

TEST_CASE("plain http: an idle connection the server closed is replaced, the request sent once", "[client][plain]") {
  // The first connection answers and then closes, without saying so: the client
  // keeps it idle, its next request on it gets nothing back, and goes once more
  // on a new connection.
  ScriptedServer server([](int connection, const std::string&) { return Answer{kOk, connection == 0}; });
  IoPool pool(2);
  pool.start();
  HttpClient client(pool);
  HttpClientRequest post = get(server.url("/orders"));
  post.method = "POST";
  post.body = "{}";
  REQUIRE(client.send_sync(post).ok());
  auto again = client.send_sync(post);
  REQUIRE(again.ok());
  CHECK(again->body == "ok");
  CHECK(server.requests().size() == 2);  // the server saw the second request once
  CHECK(server.connections() == 2);
  CHECK(client.stats().connections_opened == 2);
}

TEST_CASE("plain http: a reused connection that breaks mid-response is not retried", "[client][plain]") {
  std::atomic<int> n{0};
  ScriptedServer server([&](int, const std::string&) {
    if (n++ == 0) return Answer{kOk};
    return Answer{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true};
  });
  IoPool pool(2);
  pool.start();
  HttpClient client(pool);
  REQUIRE(client.send_sync(get(server.url("/a"))).ok());
  auto broken = client.send_sync(get(server.url("/b")));
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.status().code() == StatusCode::unavailable);
  CHECK(broken.status().message().find("GET http://127.0.0.1") != std::string::npos);
  CHECK(server.requests().size() == 2);
  CHECK(server.connections() == 1);
}

TEST_CASE("plain http: bodies over the limit, framed either way, are refused", "[client][plain]") {
  ScriptedServer server([](int, const std::string& req) {
    if (req.find("/chunked") != std::string::npos)
      return Answer{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n"};
    return Answer{"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n"};  // refused before any body byte
  });
  IoPool pool(2);
  pool.start();
  HttpClient client(pool, {.max_response_bytes = 20});
  for (const char* path : {"/chunked", "/length"}) {
    auto res = client.send_sync(get(server.url(path)));
    REQUIRE_FALSE(res.ok());
    CHECK(res.status().code() == StatusCode::resource_exhausted);
    CHECK(res.status().message().find("max_response_bytes") != std::string::npos);
  }
}

TEST_CASE("plain http: a malformed response is unavailable, not guessed at", "[client][plain]") {
  ScriptedServer server([](int, const std::string&) { return Answer{"HTTP/1.1 2x0 Nope\r\n\r\n", true}; });
  IoPool pool(1);
  pool.start();
  HttpClient client(pool);
  auto res = client.send_sync(get(server.url("/")));
  REQUIRE_FALSE(res.ok());
  CHECK(res.status().code() == StatusCode::unavailable);
  CHECK(res.status().message().find("malformed status line") != std::string::npos);
}

TEST_CASE("plain http writes the request curl would write", "[client][plain]") {
  Recorder rec;
  famulor::test::LoopbackServer server(rec.handler());
  auto& seen = rec.seen;
  IoPool pool(2);
  pool.start();
  HttpClient direct(pool);
  HttpClient curl(pool, {.direct_plain_http = false});

  HttpClientRequest req;
  req.method = "PUT";
  req.url = server.url("/things/1?x=%20y#frag");
  req.headers.add("Authorization", "Bearer t");
  req.headers.add("X-Empty", "");
  req.body = "a=1";
  req.idempotency_key = "k-1";
  REQUIRE(direct.send_sync(req).ok());
  REQUIRE(curl.send_sync(req).ok());
  HttpClientRequest del = get(server.url(""));  // no path: "/"
  del.method = "DELETE";
  REQUIRE(direct.send_sync(del).ok());
  REQUIRE(curl.send_sync(del).ok());

  std::lock_guard<std::mutex> lock(rec.mu);
  REQUIRE(seen.size() == 4);
  for (std::size_t i : {0u, 2u}) {
    const auto& a = seen[i];
    const auto& b = seen[i + 1];
    CHECK(a.method == b.method);
    CHECK(a.target == b.target);
    CHECK(a.body == b.body);
    auto fields = [](const famulor::test::ServerRequest& r) {
      std::vector<std::pair<std::string, std::string>> out;
      for (auto [name, value] : r.headers) {
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name != "accept-encoding") out.emplace_back(name, value);
      }
      std::sort(out.begin(), out.end());
      return out;
    };
    CHECK(fields(a) == fields(b));
    CHECK(a.header("accept-encoding").empty());
    CHECK_FALSE(b.header("accept-encoding").empty());
  }
  CHECK(seen[0].target == "/things/1?x=%20y");
  CHECK(seen[0].header("content-type") == "application/x-www-form-urlencoded");  // curl's default for a body
  CHECK(seen[0].header("idempotency-key") == "k-1");
  CHECK(seen[2].target == "/");
}

TEST_CASE("requests plain http cannot send exactly as curl go through curl", "[client][plain]") {
  Recorder rec;
  famulor::test::LoopbackServer server(rec.handler());
  auto& seen = rec.seen;
  IoPool pool(2);
  pool.start();
  HttpClient client(pool);
  const std::string port = std::to_string(server.port());

  HttpClientRequest pinned = get("http://pinned.example:" + port + "/p");  // the outbound policy's pin
  pinned.resolve.push_back("pinned.example:" + port + ":127.0.0.1");
  REQUIRE(client.send_sync(pinned).ok());
  HttpClientRequest by_name = get("http://localhost:" + port + "/n");  // curl resolves names
  REQUIRE(client.send_sync(by_name).ok());
  HttpClientRequest head = get(server.url("/h"));
  head.method = "HEAD";
  REQUIRE(client.send_sync(head).ok());
  HttpClientRequest dots = get(server.url("/a/../d"));  // curl removes dot segments
  REQUIRE(client.send_sync(dots).ok());

  std::lock_guard<std::mutex> lock(rec.mu);
  REQUIRE(seen.size() == 4);
  CHECK(seen[0].header("host") == "pinned.example:" + port);
  CHECK(seen[0].header("accept-encoding").empty());  // direct
  CHECK_FALSE(seen[1].header("accept-encoding").empty());
  CHECK_FALSE(seen[2].header("accept-encoding").empty());
  CHECK(seen[3].target == "/d");
  CHECK_FALSE(seen[3].header("accept-encoding").empty());
}

TEST_CASE("ResponseParser reads a response fed in any pieces", "[client][plain][parser]") {
  const std::string wire =
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\n{\"a\r\n4;x=y\r\n\":1}\r\n0\r\nTrailer: 1\r\n\r\nNEXT";
  for (std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{7}, wire.size()}) {
    ResponseParser p(1000);
    std::size_t used = 0;
    while (used < wire.size() && !p.complete() && !p.failed()) {
      std::string_view chunk = std::string_view(wire).substr(used, piece);
      used += p.feed(chunk);
    }
    INFO("piece " << piece);
    REQUIRE(p.complete());
    CHECK(wire.substr(used) == "NEXT");  // what follows the response is not consumed
    CHECK(p.response().status == 200);
    CHECK(p.response().body == R"({"a":1})");
    CHECK(p.keep_alive());
  }
}

TEST_CASE("ResponseParser refuses malformed and ambiguous responses", "[client][plain][parser]") {
  auto parse = [](const std::string& wire) {
    ResponseParser p(100);
    p.feed(wire);
    return p;
  };
  CHECK(parse("HTTP/2 200 OK\r\n\r\n").failed());
  CHECK(parse("HTTP/1.1 20 OK\r\n\r\n").failed());
  CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc").failed());
  CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n").failed());
  CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n").failed());
  CHECK(parse("HTTP/1.1 200 OK\r\n folded: x\r\n\r\n").failed());
  CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").failed());
  CHECK(parse("HTTP/1.1 101 Switching Protocols\r\n\r\n").failed());
  CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n").too_large());

  ResponseParser http10(100);
  http10.feed("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx");
  REQUIRE(http10.complete());
  CHECK_FALSE(http10.keep_alive());
  CHECK(http10.http_version() == 10);
  ResponseParser closes(100);
  closes.feed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx");
  CHECK_FALSE(closes.keep_alive());

  ResponseParser both(100);  // chunked wins over Content-Length; such a connection is not reused
  both.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n1\r\nx\r\n0\r\n\r\n");
  REQUIRE(both.complete());
  CHECK(both.response().body == "x");
  CHECK_FALSE(both.keep_alive());

  ResponseParser cut(100);
  cut.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab");
  cut.end_of_stream();
  CHECK(cut.failed());
  ResponseParser until_close(100);
  until_close.feed("HTTP/1.1 200 OK\r\n\r\nab");
  CHECK_FALSE(until_close.complete());
  until_close.end_of_stream();
  CHECK(until_close.complete());
  CHECK(until_close.response().body == "ab");
}

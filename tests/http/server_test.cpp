// HttpServer over real loopback sockets with a plain blocking client: keep-alive,
// pipelining, chunked bodies, limits, timeouts, overload, asynchronous answers and
// graceful shutdown. No assertion depends on how long anything takes; timeouts in
// the client only keep a broken server from hanging the suite.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/io_pool.hpp"
#include "http/server.hpp"
#include "support/eventually.hpp"
#include "support/raw_http_client.hpp"

using namespace famulor::http;
using famulor::test::RawConnection;
using famulor::test::RawResponse;

namespace {

struct TestServer {
  famulor::detail::IoPool pool{2};
  std::unique_ptr<HttpServer> server;

  TestServer(ServerOptions options, Handler handler) {
    pool.start();
    server = std::make_unique<HttpServer>(pool, std::move(options), std::move(handler));
    REQUIRE(server->start().ok());
  }
  explicit TestServer(Handler handler) : TestServer(ServerOptions{}, std::move(handler)) {}
  ~TestServer() {
    server->stop();
    server.reset();
    pool.stop();
  }
  std::uint16_t port() const { return server->port(); }
};

// Answers "METHOD PATH BODY" and echoes X-Echo.
void echo(HttpRequest req, Responder r) {
  auto resp = HttpResponse::text(200, req.method + " " + req.path + " " + req.body);
  if (req.headers.has("X-Echo")) resp.headers.add("X-Echo", req.header("X-Echo"));
  resp.headers.add("X-Remote", req.remote_address);
  r.send(std::move(resp));
}

std::string get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra) + "\r\n";
}

std::string post(std::string_view path, std::string_view body) {
  return "POST " + std::string(path) + " HTTP/1.1\r\nHost: test\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// A slot a handler parks its responder in, for tests that answer later.
struct Parked {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Responder> responders;
  std::vector<std::string> paths;

  void park(HttpRequest req, Responder r) {
    std::lock_guard lock(mu);
    responders.push_back(std::move(r));
    paths.push_back(req.path);
    cv.notify_all();
  }
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return responders.size() >= n; });
  }
};

void check_error_shape(const RawResponse& r, int status, std::string_view code) {
  CHECK(r.status == status);
  CHECK(r.header("Content-Type") == "application/json");
  CHECK(r.body.find("{\"error\":{\"code\":\"" + std::string(code) + "\",\"message\":") == 0);
}

}  // namespace

TEST_CASE("server: listens on port 0 and reports the real port", "[http]") {
  TestServer s(echo);
  CHECK(s.port() != 0);
  CHECK(s.server->url() == "http://127.0.0.1:" + std::to_string(s.port()));
  auto r = famulor::test::roundtrip(s.port(), get("/hello"));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "GET /hello ");
  CHECK(r->header("X-Remote").rfind("127.0.0.1:", 0) == 0);
}

TEST_CASE("server: a second server on the same port fails to start", "[http]") {
  TestServer s(echo);
  famulor::detail::IoPool pool(1);
  ServerOptions o;
  o.port = s.port();
  HttpServer second(pool, o, echo);
  famulor::Status st = second.start();
  CHECK(st.code() == famulor::StatusCode::unavailable);
  o.host = "not-an-ip";
  HttpServer third(pool, o, echo);
  CHECK(third.start().code() == famulor::StatusCode::invalid_argument);
}

TEST_CASE("server: keep-alive serves several requests on one connection", "[http]") {
  TestServer s(echo);
  RawConnection c(s.port());
  REQUIRE(c.connected());
  std::string remote;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(c.send(post("/n/" + std::to_string(i), "body" + std::to_string(i))));
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == "POST /n/" + std::to_string(i) + " body" + std::to_string(i));
    CHECK_FALSE(r->headers.has_token("Connection", "close"));
    if (i == 0) remote = r->header("X-Remote");
    CHECK(r->header("X-Remote") == remote);  // the same TCP connection
  }
  CHECK(s.server->stats().requests == 5);
  CHECK(s.server->stats().accepted == 1);
}

TEST_CASE("server: pipelined requests are answered in order even when answered out of order", "[http]") {
  // /slow is answered from another thread after /fast has been answered inline...
  // except that the server reads /fast only after /slow's answer: order holds.
  std::vector<std::thread> threads;
  std::mutex mu;
  TestServer s([&](HttpRequest req, Responder r) {
    if (req.path == "/slow") {
      std::lock_guard lock(mu);
      threads.emplace_back([r, body = req.path] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        r.send(HttpResponse::text(200, body));
      });
      return;
    }
    r.send(HttpResponse::text(200, req.path));
  });
  RawConnection c(s.port());
  REQUIRE(c.connected());
  REQUIRE(c.send(get("/slow") + get("/fast") + post("/p", "xyz") + get("/slow") + get("/last")));
  std::vector<std::string> bodies;
  for (int i = 0; i < 5; ++i) {
    auto r = c.read_response();
    REQUIRE(r);
    bodies.push_back(r->body);
  }
  CHECK(bodies == std::vector<std::string>{"/slow", "/fast", "/p", "/slow", "/last"});
  std::lock_guard lock(mu);
  for (auto& t : threads) t.join();
}

TEST_CASE("server: chunked request bodies arriving in pieces", "[http]") {
  TestServer s(echo);
  RawConnection c(s.port());
  REQUIRE(c.connected());
  REQUIRE(c.send("POST /chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
  REQUIRE(c.send("4\r\nWi"));
  REQUIRE(c.send("ki\r\n5;name=val\r\npedia\r\n"));
  REQUIRE(c.send("0\r\nX-Trailer: x\r\n\r\n"));
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->body == "POST /chunked Wikipedia");
  // The connection is still usable.
  REQUIRE(c.send(get("/after")));
  r = c.read_response();
  REQUIRE(r);
  CHECK(r->body == "GET /after ");
}

TEST_CASE("server: each limit answers its status in the error shape and closes", "[http]") {
  ServerOptions o;
  o.limits.max_request_line = 256;
  o.limits.max_header_bytes = 1024;
  o.limits.max_headers = 10;
  o.limits.max_body = 100;
  std::atomic<int> handled{0};
  TestServer s(o, [&](HttpRequest req, Responder r) {
    handled++;
    echo(std::move(req), std::move(r));
  });

  struct Case {
    std::string request;
    int status;
    std::string code;
  };
  std::string many_headers = "GET / HTTP/1.1\r\nHost: t\r\n";
  for (int i = 0; i < 11; ++i) many_headers += "X-H" + std::to_string(i) + ": v\r\n";
  std::vector<Case> cases = {
      {post("/big", std::string(101, 'x')), 413, "payload_too_large"},
      {"POST /big HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + std::string(100, 'x') +
           "\r\n1\r\nx\r\n0\r\n\r\n",
       413, "payload_too_large"},
      {get("/" + std::string(300, 'a')), 431, "headers_too_large"},
      {get("/", "X-Big: " + std::string(1100, 'b') + "\r\n"), 431, "headers_too_large"},
      {many_headers + "\r\n", 431, "headers_too_large"},
      {"GET / HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n", 400, "bad_request"},
      {"NOT A REQUEST AT ALL\r\n\r\n", 400, "bad_request"},
      {"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "not_implemented"},
      {"GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505, "http_version_not_supported"},
  };
  for (const auto& c : cases) {
    INFO(c.request.substr(0, 60));
    RawConnection conn(s.port());
    REQUIRE(conn.connected());
    REQUIRE(conn.send(c.request));
    auto r = conn.read_response();
    REQUIRE(r);
    check_error_shape(*r, c.status, c.code);
    CHECK(r->headers.has_token("Connection", "close"));
    CHECK(conn.wait_closed());
  }
  CHECK(handled == 0);
  CHECK(s.server->stats().bad_requests == cases.size());
}

TEST_CASE("server: Expect: 100-continue", "[http]") {
  ServerOptions o;
  o.limits.max_body = 100;
  TestServer s(o, echo);
  RawConnection c(s.port());
  REQUIRE(c.connected());
  REQUIRE(c.send("POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  auto cont = c.read_response();
  REQUIRE(cont);
  CHECK(cont->status == 100);
  REQUIRE(c.send("abcd"));
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "POST /e abcd");

  // Too large: 413 at once, no 100 Continue, no body read.
  RawConnection big(s.port());
  REQUIRE(big.connected());
  REQUIRE(big.send("POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n"));
  r = big.read_response();
  REQUIRE(r);
  CHECK(r->status == 413);
}

TEST_CASE("server: HEAD gets headers without a body, HTTP/1.0 closes unless kept alive", "[http]") {
  TestServer s(echo);
  RawConnection c(s.port());
  REQUIRE(c.connected());
  REQUIRE(c.send("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n" + get("/next")));
  auto r = c.read_response(true);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->header("Content-Length") == std::to_string(std::string("HEAD /h ").size()));
  r = c.read_response();
  REQUIRE(r);
  CHECK(r->body == "GET /next ");

  RawConnection old(s.port());
  REQUIRE(old.send("GET /old HTTP/1.0\r\n\r\n"));
  r = old.read_response();
  REQUIRE(r);
  CHECK(r->headers.has_token("Connection", "close"));
  CHECK(old.wait_closed());

  RawConnection kept(s.port());
  REQUIRE(kept.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  r = kept.read_response();
  REQUIRE(r);
  CHECK(r->headers.has_token("Connection", "keep-alive"));
  REQUIRE(kept.send("GET /b HTTP/1.0\r\n\r\n"));
  r = kept.read_response();
  REQUIRE(r);
  CHECK(r->body == "GET /b ");
}

TEST_CASE("server: idle keep-alive connections are closed after the idle timeout", "[http]") {
  ServerOptions o;
  // Long enough that a preempted client still sends its request in time (a slow,
  // loaded machine), short enough to keep the test quick.
  o.idle_timeout = std::chrono::milliseconds(500);
  o.header_timeout = std::chrono::milliseconds(500);
  TestServer s(o, echo);
  RawConnection c(s.port());
  REQUIRE(c.connected());
  REQUIRE(c.send(get("/x")));
  REQUIRE(c.read_response());
  CHECK(c.wait_closed());  // nothing more sent: the server closes, quietly

  RawConnection silent(s.port());  // connects and never sends anything
  REQUIRE(silent.connected());
  CHECK(silent.wait_closed());
}

TEST_CASE("server: a request that trickles in is cut off with 408 (slowloris)", "[http]") {
  ServerOptions o;
  o.header_timeout = std::chrono::milliseconds(100);
  o.body_timeout = std::chrono::milliseconds(100);
  TestServer s(o, echo);
  {
    RawConnection c(s.port());
    REQUIRE(c.send("GET /slow HTTP/1.1\r\nHost: t\r\nX-A: "));
    auto r = c.read_response();  // the head never completes
    REQUIRE(r);
    check_error_shape(*r, 408, "request_timeout");
    CHECK(c.wait_closed());
  }
  {
    RawConnection c(s.port());
    REQUIRE(c.send("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"));
    auto r = c.read_response();  // the body never completes
    REQUIRE(r);
    CHECK(r->status == 408);
    CHECK(c.wait_closed());
  }
}

TEST_CASE("server: beyond max_connections new connections get 503 with Retry-After", "[http]") {
  ServerOptions o;
  o.max_connections = 2;
  o.retry_after_s = 7;
  TestServer s(o, echo);
  RawConnection a(s.port()), b(s.port());
  REQUIRE(a.send(get("/a")));
  REQUIRE(a.read_response());
  REQUIRE(b.send(get("/b")));
  REQUIRE(b.read_response());

  RawConnection over(s.port());
  REQUIRE(over.connected());
  over.send(get("/over"));  // may fail if the server already closed; the answer is what matters
  auto r = over.read_response();
  REQUIRE(r);
  check_error_shape(*r, 503, "overloaded");
  CHECK(r->header("Retry-After") == "7");
  CHECK(over.wait_closed());
  CHECK(s.server->stats().rejected >= 1);

  // Once a slot frees up, new connections are served again.
  a.close();
  CHECK(famulor::test::eventually(
      [&] {
        auto again = famulor::test::roundtrip(s.port(), get("/again"));
        return again && again->status == 200;
      },
      famulor::test::kEventually, std::chrono::milliseconds(10)));
}

TEST_CASE("server: a handler answers later from another thread", "[http]") {
  Parked parked;
  TestServer s([&](HttpRequest req, Responder r) { parked.park(std::move(req), std::move(r)); });
  RawConnection c(s.port());
  REQUIRE(c.send(get("/later")));
  REQUIRE(parked.wait_for(1));
  std::thread answer([&] {
    CHECK(parked.responders[0].send(HttpResponse::json_text(202, R"({"run_ids":["r1"]})")));
    CHECK_FALSE(parked.responders[0].send(HttpResponse::text(200, "second answer is ignored")));
  });
  answer.join();
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 202);
  CHECK(r->body == R"({"run_ids":["r1"]})");
}

TEST_CASE("server: a throwing handler and a dropped responder answer 500", "[http]") {
  TestServer s([](HttpRequest req, Responder r) {
    if (req.path == "/throw") throw std::runtime_error("boom");
    if (req.path == "/drop") return;  // r goes away unanswered
    r.send(HttpResponse::text(200, "ok"));
  });
  RawConnection c(s.port());
  REQUIRE(c.send(get("/throw")));
  auto r = c.read_response();
  REQUIRE(r);
  check_error_shape(*r, 500, "internal");
  REQUIRE(c.send(get("/drop")));
  r = c.read_response();
  REQUIRE(r);
  check_error_shape(*r, 500, "internal");
  REQUIRE(c.send(get("/fine")));
  r = c.read_response();
  REQUIRE(r);
  CHECK(r->body == "ok");
}

TEST_CASE("server: stop() finishes an in-flight request and closes idle connections", "[http]") {
  Parked parked;
  TestServer s([&](HttpRequest req, Responder r) {
    if (req.path == "/hold") return parked.park(std::move(req), std::move(r));
    r.send(HttpResponse::text(200, "quick"));
  });
  const auto port = s.port();
  RawConnection idle(port);
  REQUIRE(idle.send(get("/q")));
  REQUIRE(idle.read_response());
  RawConnection busy(port);
  REQUIRE(busy.send(get("/hold")));
  REQUIRE(parked.wait_for(1));

  std::thread stopper([&] { s.server->stop(std::chrono::seconds(30)); });
  CHECK(idle.wait_closed());  // the idle connection is closed at once
  // Stop has begun; the in-flight request still gets its answer, with close.
  CHECK(parked.responders[0].send(HttpResponse::text(200, "finished")));
  auto r = busy.read_response();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "finished");
  CHECK(r->headers.has_token("Connection", "close"));
  CHECK(busy.wait_closed());
  stopper.join();
  CHECK_FALSE(famulor::test::can_connect(port));
}

TEST_CASE("server: stop() gives up on unanswered requests after the grace period", "[http]") {
  Parked parked;
  TestServer s([&](HttpRequest req, Responder r) { parked.park(std::move(req), std::move(r)); });
  RawConnection c(s.port());
  REQUIRE(c.send(get("/never")));
  REQUIRE(parked.wait_for(1));
  s.server->stop(std::chrono::milliseconds(50));
  CHECK(c.wait_closed());
  CHECK(s.server->stats().open_connections == 0);
  // Answering after the connection is gone is harmless.
  CHECK(parked.responders[0].send(HttpResponse::text(200, "too late")));
}

TEST_CASE("server: a short idle timeout applies after requests even with long head timeouts", "[http]") {
  ServerOptions o;
  o.header_timeout = std::chrono::seconds(30);
  o.body_timeout = std::chrono::seconds(30);
  o.write_timeout = std::chrono::seconds(30);
  o.idle_timeout = std::chrono::milliseconds(50);
  TestServer s(o, echo);
  RawConnection c(s.port());
  // Pipelined in one write: no client-side pause between requests can outlast the
  // 50 ms idle timeout on a slow machine.
  REQUIRE(c.send(get("/r") + get("/r") + get("/r")));
  for (int i = 0; i < 3; ++i) REQUIRE(c.read_response());
  CHECK(c.wait_closed());
  CHECK(s.server->stats().bad_requests == 0);  // closed quietly, not with 408
}

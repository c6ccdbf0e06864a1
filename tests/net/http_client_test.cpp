// HttpClient against a loopback server: requests and responses, keep-alive,
// timeouts, limits, error mapping, and many requests in flight on the pool's threads.
// Every case runs on both paths: test_net sends plain http:// on the direct Asio
// path (net/plain_http.hpp), test_net_curl (FAMULOR_TEST_CURL_ONLY) through libcurl.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <dirent.h>
#include <future>
#include <mutex>
#include <vector>

#include "common/io_pool.hpp"
#include "loopback_server.hpp"
#include "net/http_client.hpp"

using famulor::StatusCode;
using famulor::detail::IoPool;
using famulor::net::HttpClient;
using famulor::net::HttpClientRequest;
using famulor::net::HttpClientResponse;
using famulor::test::LoopbackServer;
using famulor::test::Responder;
using famulor::test::ServerReply;
using famulor::test::ServerRequest;

namespace {

// Requests the server saw, and the responders of those it holds.
struct Recorder {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<ServerRequest> seen;
  std::vector<Responder> held;

  LoopbackServer::Handler hold() {
    return [this](const ServerRequest& req, Responder r) {
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(req);
      held.push_back(std::move(r));
      cv.notify_all();
    };
  }
  void wait_for_held(std::size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return held.size() >= n; });
  }
};

std::size_t thread_count() {
  std::size_t n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') ++n;
    closedir(d);
  }
  return n;
}

famulor::net::ClientOptions client_options(famulor::net::ClientOptions o = {}) {
#ifdef FAMULOR_TEST_CURL_ONLY
  o.direct_plain_http = false;
#endif
  return o;
}

HttpClientRequest get(std::string url) {
  HttpClientRequest r;
  r.url = std::move(url);
  return r;
}

}  // namespace

TEST_CASE("GET returns status, headers and body", "[client]") {
  Recorder rec;
  LoopbackServer server([&](const ServerRequest& req, Responder r) {
    {
      std::lock_guard<std::mutex> lock(rec.mu);
      rec.seen.push_back(req);
    }
    r.reply({200, {{"X-Trace", "abc"}, {"Content-Type", "application/json"}}, R"({"ok":true})"});
  });
  IoPool pool(2);
  pool.start();
  HttpClient client(pool, client_options());

  auto res = client.send_sync(get(server.url("/v1/things?limit=2")));
  REQUIRE(res.ok());
  CHECK(res->status == 200);
  CHECK(res->ok());
  CHECK(res->body == R"({"ok":true})");
  CHECK(res->headers.get("x-trace") == "abc");
  CHECK(res->headers.get("CONTENT-TYPE") == "application/json");
  CHECK(res->http_version == 11);
  REQUIRE(rec.seen.size() == 1);
  CHECK(rec.seen[0].method == "GET");
  CHECK(rec.seen[0].target == "/v1/things?limit=2");
  CHECK(rec.seen[0].header("user-agent").rfind("famulor/", 0) == 0);
  CHECK(rec.seen[0].header("accept") == "*/*");
  CHECK(rec.seen[0].header("host") == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(res->effective_url == server.url("/v1/things?limit=2"));
  CHECK(famulor::net::status_from_response(*res).ok());
#ifdef FAMULOR_TEST_CURL_ONLY
  CHECK_FALSE(rec.seen[0].header("accept-encoding").empty());  // curl asks for any encoding it decodes
#else
  CHECK(rec.seen[0].header("accept-encoding").empty());  // the direct path asks for none
#endif
}

TEST_CASE("POST sends the body, headers and the idempotency key", "[client]") {
  Recorder rec;
  LoopbackServer server([&](const ServerRequest& req, Responder r) {
    {
      std::lock_guard<std::mutex> lock(rec.mu);
      rec.seen.push_back(req);
    }
    r.reply({201, {}, req.body});
  });
  IoPool pool(2);
  pool.start();
  HttpClient client(pool, client_options());

  HttpClientRequest req;
  req.method = "POST";
  req.url = server.url("/contacts");
  req.headers.add("Content-Type", "application/json");
  req.headers.add("Authorization", "Bearer t0k");
  req.body = R"({"email":"a@example.com"})";
  req.idempotency_key = "run-1:node-2";
  auto res = client.send_sync(req);
  REQUIRE(res.ok());
  CHECK(res->status == 201);
  CHECK(res->body == req.body);
  REQUIRE(rec.seen.size() == 1);
  const ServerRequest& got = rec.seen[0];
  CHECK(got.method == "POST");
  CHECK(got.body == req.body);
  CHECK(got.header("content-type") == "application/json");
  CHECK(got.header("authorization") == "Bearer t0k");
  CHECK(got.header("idempotency-key") == "run-1:node-2");
  CHECK(got.header("expect").empty());

  SECTION("other methods with and without a body") {
    req.method = "PATCH";
    REQUIRE(client.send_sync(req).ok());
    HttpClientRequest del = get(server.url("/contacts/1"));
    del.method = "DELETE";
    REQUIRE(client.send_sync(del).ok());
    std::lock_guard<std::mutex> lock(rec.mu);
    REQUIRE(rec.seen.size() == 3);
    CHECK(rec.seen[1].method == "PATCH");
    CHECK(rec.seen[1].body == req.body);
    CHECK(rec.seen[2].method == "DELETE");
    CHECK(rec.seen[2].body.empty());
  }
}

TEST_CASE("sequential requests reuse one kept-alive connection", "[client]") {
  LoopbackServer server(famulor::test::always({200, {}, "{}"}));
  IoPool pool(2);
  pool.start();
  HttpClient client(pool, client_options());
  for (int i = 0; i < 25; ++i) {
    auto res = client.send_sync(get(server.url("/ping")));
    REQUIRE(res.ok());
    REQUIRE(res->status == 200);
  }
  CHECK(server.requests() == 25);
  CHECK(server.connections() == 1);
  CHECK(client.stats().connections_opened == 1);
  CHECK(client.stats().completed == 25);
}

TEST_CASE("a server that never answers ends in deadline_exceeded", "[client]") {
  Recorder rec;
  LoopbackServer server(rec.hold());
  IoPool pool(2);
  pool.start();
  HttpClient client(pool, client_options());
  HttpClientRequest req = get(server.url("/slow"));
  req.timeout = std::chrono::milliseconds(200);
  auto res = client.send_sync(req);
  REQUIRE_FALSE(res.ok());
  CHECK(res.status().code() == StatusCode::deadline_exceeded);
  CHECK(res.status().retryable());
  CHECK(res.status().message().find("/slow") != std::string::npos);
}

TEST_CASE("a connection refused is unavailable", "[client]") {
  std::string url;
  {
    LoopbackServer gone(famulor::test::always({}));
    url = gone.url("/");
  }
  IoPool pool(1);
  pool.start();
  HttpClient client(pool, client_options());
  auto res = client.send_sync(get(url));
  REQUIRE_FALSE(res.ok());
  CHECK(res.status().code() == StatusCode::unavailable);
}

TEST_CASE("a response over the size limit is refused with a clear error", "[client]") {
  LoopbackServer server(famulor::test::always({200, {}, std::string(100'000, 'x')}));
  IoPool pool(2);
  pool.start();
  HttpClient client(pool, client_options({.max_response_bytes = 50'000}));
  auto res = client.send_sync(get(server.url("/big")));
  REQUIRE_FALSE(res.ok());
  CHECK(res.status().code() == StatusCode::resource_exhausted);
  CHECK(res.status().message().find("max_response_bytes") != std::string::npos);

  HttpClientRequest bigger = get(server.url("/big"));
  bigger.max_response_bytes = 200'000;
  auto ok = client.send_sync(bigger);
  REQUIRE(ok.ok());
  CHECK(ok->body.size() == 100'000);
}

TEST_CASE("HTTP error statuses map onto status codes with the app's body", "[client]") {
  LoopbackServer server([](const ServerRequest& req, Responder r) {
    int code = std::stoi(req.target.substr(1));
    ServerReply reply{code, {}, R"({"error":"code )" + std::to_string(code) + R"("})"};
    if (code == 429) reply.headers.emplace_back("Retry-After", "7");
    r.reply(reply);
  });
  IoPool pool(2);
  pool.start();
  HttpClient client(pool, client_options());
  auto status_of = [&](int code) {
    auto res = client.send_sync(get(server.url("/" + std::to_string(code))));
    REQUIRE(res.ok());
    CHECK(res->status == code);
    return famulor::net::status_from_response(*res);
  };

  auto s429 = status_of(429);
  CHECK(s429.code() == StatusCode::resource_exhausted);
  CHECK(s429.message().find("retry after 7 s") != std::string::npos);
  CHECK(s429.message().find(R"("error":"code 429")") != std::string::npos);
  CHECK(s429.retryable());

  auto s503 = status_of(503);
  CHECK(s503.code() == StatusCode::unavailable);
  CHECK(s503.message().find("HTTP 503") != std::string::npos);
  CHECK(s503.retryable());
  CHECK(status_of(500).code() == StatusCode::unavailable);
  CHECK(status_of(404).code() == StatusCode::not_found);
  CHECK(status_of(401).code() == StatusCode::unauthenticated);
  CHECK(status_of(403).code() == StatusCode::permission_denied);
  CHECK(status_of(422).code() == StatusCode::invalid_argument);
  CHECK_FALSE(status_of(400).retryable());
}

TEST_CASE("Retry-After as seconds or as an HTTP date", "[client]") {
  HttpClientResponse r;
  r.status = 429;
  CHECK_FALSE(famulor::net::retry_after(r).has_value());
  r.headers.add("Retry-After", "120");
  CHECK(famulor::net::retry_after(r) == std::chrono::seconds(120));
  r.headers.set("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT");  // in the past
  CHECK(famulor::net::retry_after(r) == std::chrono::seconds(0));
  r.headers.set("Retry-After", "soon");
  CHECK_FALSE(famulor::net::retry_after(r).has_value());
}

TEST_CASE("error bodies are cut in status messages", "[client]") {
  HttpClientResponse r;
  r.status = 500;
  r.body = std::string(2000, 'e');
  auto s = famulor::net::status_from_response(r, 100);
  CHECK(s.message().size() < 200);
  CHECK(s.message().find("(2000 bytes)") != std::string::npos);
}

TEST_CASE("requests that cannot be sent fail without reaching the network", "[client]") {
  IoPool pool(1);
  pool.start();
  HttpClient client(pool, client_options());
  HttpClientRequest bad_header = get("http://127.0.0.1:9/");
  bad_header.headers.add("X-Evil", "a\r\nInjected: yes");
  auto r1 = client.send_sync(bad_header);
  REQUIRE_FALSE(r1.ok());
  CHECK(r1.status().code() == StatusCode::invalid_argument);

  auto r2 = client.send_sync(get("ftp://127.0.0.1/file"));
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.status().code() == StatusCode::invalid_argument);

  auto r3 = client.send_sync(get(""));
  REQUIRE_FALSE(r3.ok());
  CHECK(r3.status().code() == StatusCode::invalid_argument);
}

TEST_CASE("send_sync refuses to block a stopped pool", "[client]") {
  IoPool pool(1);
  HttpClient client(pool, client_options());
  auto r = client.send_sync(get("http://127.0.0.1:9/"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::failed_precondition);
}

TEST_CASE("512 concurrent requests complete on the pool's own threads", "[client]") {
  constexpr std::size_t kN = 512;
  Recorder rec;
  LoopbackServer server(rec.hold());
  IoPool pool(2);
  pool.start();
  HttpClient client(pool, client_options());
  const std::size_t threads_before = thread_count();

  std::mutex mu;
  std::condition_variable cv;
  std::size_t done = 0, good = 0;
  for (std::size_t i = 0; i < kN; ++i) {
    client.send(get(server.url("/item/" + std::to_string(i))), [&](famulor::Result<HttpClientResponse> r) {
      std::lock_guard<std::mutex> lock(mu);
      ++done;
      if (r.ok() && r->status == 200 && r->body == "held") ++good;
      cv.notify_all();
    });
  }
  rec.wait_for_held(kN);  // every request is in flight at once
  CHECK(thread_count() == threads_before);
  CHECK(client.stats().in_flight == kN);
  {
    std::lock_guard<std::mutex> lock(rec.mu);
    for (auto& r : rec.held) r.reply({200, {}, "held"});
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done == kN; });
  CHECK(good == kN);
  CHECK(server.connections() == kN);
  CHECK(thread_count() == threads_before);
}

TEST_CASE("destroying the client cancels what is in flight", "[client]") {
  Recorder rec;
  LoopbackServer server(rec.hold());
  IoPool pool(2);
  pool.start();
  std::atomic<int> cancelled{0};
  {
    HttpClient client(pool, client_options());
    for (int i = 0; i < 8; ++i)
      client.send(get(server.url("/hang")), [&](famulor::Result<HttpClientResponse> r) {
        if (!r.ok() && r.status().code() == StatusCode::cancelled) cancelled++;
      });
    rec.wait_for_held(8);
  }  // every callback has run when the destructor returns
  CHECK(cancelled.load() == 8);
}

TEST_CASE("a request whose cancel hook fires ends cancelled", "[client]") {
  Recorder rec;
  LoopbackServer server(rec.hold());
  IoPool pool(1);
  pool.start();
  HttpClient client(pool, client_options());
  HttpClientRequest req = get(server.url("/cancel-me"));
  req.cancelled = [] { return true; };
  auto r = client.send_sync(req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::cancelled);
}

TEST_CASE("a request waiting on a silent server is cancelled through its hook", "[client]") {
  Recorder rec;
  LoopbackServer server(rec.hold());
  IoPool pool(2);
  pool.start();
  HttpClient client(pool, client_options());
  std::atomic<bool> stop{false};
  HttpClientRequest req = get(server.url("/silent"));
  req.cancelled = [&] { return stop.load(); };
  std::promise<famulor::Result<HttpClientResponse>> p;
  auto f = p.get_future();
  client.send(req, [&](famulor::Result<HttpClientResponse> r) { p.set_value(std::move(r)); });
  rec.wait_for_held(1);  // the request is at the server, which never answers
  stop = true;
  auto r = f.get();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::cancelled);
}

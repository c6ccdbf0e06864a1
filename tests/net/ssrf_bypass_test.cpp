// The outbound policy against the known SSRF bypass forms: every way of writing an
// internal address in a URL, plain http, and redirects to internal targets. Each
// form is checked through OutboundPolicy::check, the path every HTTP-node and
// credential-host call takes.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <string>
#include <vector>

#include "common/io_pool.hpp"
#include "loopback_server.hpp"
#include "net/outbound_policy.hpp"

using famulor::StatusCode;
using famulor::detail::IoPool;
using famulor::net::HttpClientRequest;
using famulor::net::OutboundPolicy;
using famulor::test::LoopbackServer;
using famulor::test::Responder;
using famulor::test::ServerReply;
using famulor::test::ServerRequest;

namespace {

famulor::Result<HttpClientRequest> check(const OutboundPolicy& policy, IoPool& pool, std::string url) {
  HttpClientRequest req;
  req.url = std::move(url);
  std::promise<famulor::Result<HttpClientRequest>> p;
  auto f = p.get_future();
  policy.check(pool, req, [&p](famulor::Result<HttpClientRequest> r) { p.set_value(std::move(r)); });
  return f.get();
}

famulor::Result<famulor::net::HttpClientResponse> send(famulor::net::HttpClient& client, IoPool& pool,
                                                       const OutboundPolicy& policy, HttpClientRequest req) {
  std::promise<famulor::Result<famulor::net::HttpClientResponse>> p;
  auto f = p.get_future();
  famulor::net::send_checked(client, pool, policy, std::move(req), [&p](auto r) { p.set_value(std::move(r)); });
  return f.get();
}

}  // namespace

TEST_CASE("every spelling of an internal address is refused", "[policy][ssrf]") {
  IoPool pool(1);
  pool.start();
  OutboundPolicy policy;
  // Each is the metadata service, loopback or a private network, written so that a
  // naive string check would miss it.
  for (const char* url : {
           "https://169.254.169.254/latest/meta-data/",
           "https://[::ffff:169.254.169.254]/latest/meta-data/",  // IPv4-mapped IPv6
           "https://[::ffff:a9fe:a9fe]/",                         // the same, in hex groups
           "https://[0:0:0:0:0:ffff:127.0.0.1]/",                 // mapped, long form
           "https://[::169.254.169.254]/",                        // IPv4-compatible
           "https://[64:ff9b::a9fe:a9fe]/",                       // NAT64
           "https://[64:ff9b:1::a9fe:a9fe]/",                     // NAT64 local use
           "https://[2002:a9fe:a9fe::1]/",                        // 6to4 of 169.254.169.254
           "https://[2002:7f00:1::]/",                            // 6to4 of 127.0.0.1
           "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",     // Teredo, client 127.0.0.1
           "https://2852039166/",                                 // decimal 169.254.169.254
           "https://0251.0376.0251.0376/",                        // octal
           "https://0xa9fea9fe/",                                 // hex
           "https://0xa9.0xfe.0xa9.0xfe/",                        // hex per byte
           "https://127.1/",                                      // short form
           "https://127.0.1/",                                    // short form, three parts
           "https://0/",                                          // 0.0.0.0
           "https://0.0.0.0/",
           "https://[::]/",
           "https://[::1]/",
           "https://[0:0:0:0:0:0:0:1]/",
           "https://[fe80::1]/",
           "https://[fd00:ec2::254]/",                            // AWS IMDS over IPv6
           "https://100.100.100.200/",                            // Alibaba metadata
           "https://10.0.0.1/",
           "https://192.168.0.1:8443/",
           "https://172.16.0.1/",
           "https://localhost/",
           "https://LOCALHOST/",
           "https://user:pass@127.0.0.1/",                        // userinfo in front
           "https://example.com@127.0.0.1/",                      // looks like example.com
           "HTTPS://127.0.0.1/",                                  // scheme case
       }) {
    INFO(url);
    auto r = check(policy, pool, url);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::permission_denied);
    CHECK(r.status().message().find("internal address") != std::string::npos);
  }
}

TEST_CASE("unreadable and non-http URLs are refused, not guessed at", "[policy][ssrf]") {
  IoPool pool(1);
  pool.start();
  OutboundPolicy policy;
  for (const char* url : {"file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "dict://127.0.0.1:11211/",
                          "ftp://example.com/", "ldap://127.0.0.1/", "//127.0.0.1/", "https://", "https://[::1/",
                          "https://256.256.256.256.256/",
                          "https://localhost./"}) {
    INFO(url);
    auto r = check(policy, pool, url);
    REQUIRE_FALSE(r.ok());
    CHECK((r.status().code() == StatusCode::invalid_argument || r.status().code() == StatusCode::permission_denied ||
           r.status().code() == StatusCode::unavailable));
  }
}

TEST_CASE("plain http is refused unless the host is allowed", "[policy][ssrf]") {
  IoPool pool(1);
  pool.start();
  auto plain = check(OutboundPolicy(), pool, "http://8.8.8.8/");
  REQUIRE_FALSE(plain.ok());
  CHECK(plain.status().code() == StatusCode::permission_denied);
  CHECK(plain.status().message().find("https only") != std::string::npos);
  CHECK(check(OutboundPolicy(), pool, "https://8.8.8.8/").ok());

  OutboundPolicy allowed;
  REQUIRE(allowed.allow("8.8.8.0/24").ok());
  CHECK(check(allowed, pool, "http://8.8.8.8/").ok());
  CHECK_FALSE(check(allowed, pool, "http://8.8.4.4/").ok());

  OutboundPolicy by_name;
  REQUIRE(by_name.allow("localhost").ok());
  CHECK(check(by_name, pool, "http://localhost:9/").ok());
}

TEST_CASE("the checked address is pinned for the connection", "[policy][ssrf]") {
  IoPool pool(1);
  pool.start();
  OutboundPolicy policy;
  REQUIRE(policy.allow("127.0.0.0/8").ok());
  auto r = check(policy, pool, "http://localhost:4321/x");
  REQUIRE(r.ok());
  REQUIRE(r->resolve.size() == 1);
  // curl connects to exactly these addresses: a second DNS answer cannot change it.
  CHECK(r->resolve[0].rfind("localhost:4321:", 0) == 0);
  CHECK(r->resolve[0].find("127.0.0.1") != std::string::npos);
  CHECK_FALSE(r->follow_redirects);
}

TEST_CASE("every redirect hop is checked again, and hops are bounded", "[policy][ssrf]") {
  IoPool pool(2);
  pool.start();
  famulor::net::HttpClient client(pool);
  std::atomic<int> inside_hits{0};
  // Stands for an internal service: reachable only through 127.0.0.2's policy.
  LoopbackServer inside([&](const ServerRequest&, Responder r) {
    ++inside_hits;
    r.reply({200, {}, "secret"});
  });
  std::string target;  // where `outside` redirects to
  LoopbackServer outside([&](const ServerRequest& req, Responder r) {
    if (req.target == "/loop") return r.reply({302, {{"Location", "/loop"}}, ""});
    if (req.target == "/local") return r.reply({301, {{"Location", "/final"}}, ""});
    if (req.target == "/final") return r.reply({200, {}, req.method + " " + req.header("Authorization")});
    r.reply({302, {{"Location", target}}, ""});
  });
  OutboundPolicy policy;
  REQUIRE(policy.allow("127.0.0.1").ok());  // `outside` only; `inside` is reached via other names

  auto follow = [&](std::string url) {
    HttpClientRequest req;
    req.url = std::move(url);
    req.follow_redirects = true;
    req.headers.add("Authorization", "Bearer s3cret");
    return send(client, pool, policy, std::move(req));
  };

  for (const std::string& to : std::vector<std::string>{"http://127.0.0.2:" + std::to_string(inside.port()) + "/",
                         "http://[::ffff:169.254.169.254]/latest/meta-data/", "http://2852039166/",
                         "http://[::1]:" + std::to_string(inside.port()) + "/", "file:///etc/passwd"}) {
    INFO(to);
    target = to;
    auto r = follow(outside.url("/start"));
    REQUIRE_FALSE(r.ok());
    CHECK((r.status().code() == StatusCode::permission_denied || r.status().code() == StatusCode::invalid_argument));
  }
  CHECK(inside_hits == 0);

  auto loop = follow(outside.url("/loop"));
  REQUIRE_FALSE(loop.ok());
  CHECK(loop.status().message().find("more than 5 redirects") != std::string::npos);

  auto local = follow(outside.url("/local"));  // same origin: allowed, the header kept
  REQUIRE(local.ok());
  CHECK(local->status == 200);
  CHECK(local->body == "GET Bearer s3cret");

  // Without follow_redirects the 3xx itself is the answer.
  HttpClientRequest once;
  once.url = outside.url("/local");
  auto r = send(client, pool, policy, once);
  REQUIRE(r.ok());
  CHECK(r->status == 301);
}

TEST_CASE("a redirect to another allowed origin drops the credentials", "[policy][ssrf]") {
  IoPool pool(2);
  pool.start();
  famulor::net::HttpClient client(pool);
  LoopbackServer second([&](const ServerRequest& req, Responder r) {
    r.reply({200, {}, req.method + "|" + req.header("Authorization") + "|" + req.body});
  });
  LoopbackServer first([&](const ServerRequest&, Responder r) {
    r.reply({303, {{"Location", "http://localhost:" + std::to_string(second.port()) + "/"}}, ""});
  });
  OutboundPolicy policy;
  REQUIRE(policy.allow("127.0.0.1").ok());
  REQUIRE(policy.allow("localhost").ok());
  HttpClientRequest req;
  req.method = "POST";
  req.url = first.url("/");
  req.body = "payload";
  req.follow_redirects = true;
  req.headers.add("Authorization", "Bearer s3cret");
  auto r = send(client, pool, policy, std::move(req));
  REQUIRE(r.ok());
  CHECK(r->body == "GET||");
}

// OutboundPolicy: which addresses are internal, allow lists, and resolve-check-pin.
#include <catch2/catch.hpp>

#include <future>

#include "common/io_pool.hpp"
#include "loopback_server.hpp"
#include "net/outbound_policy.hpp"

using famulor::StatusCode;
using famulor::detail::IoPool;
using famulor::net::HttpClientRequest;
using famulor::net::OutboundPolicy;

namespace {

famulor::Result<HttpClientRequest> check(const OutboundPolicy& policy, IoPool& pool, std::string url) {
  HttpClientRequest req;
  req.url = std::move(url);
  req.follow_redirects = true;
  std::promise<famulor::Result<HttpClientRequest>> p;
  auto f = p.get_future();
  policy.check(pool, req, [&p](famulor::Result<HttpClientRequest> r) { p.set_value(std::move(r)); });
  return f.get();
}

}  // namespace

TEST_CASE("internal addresses are refused, public ones allowed", "[client][policy]") {
  OutboundPolicy p;
  for (const char* a : {"10.1.2.3", "127.0.0.1", "127.8.8.8", "169.254.169.254", "100.100.100.200", "172.16.0.1",
                        "172.31.255.255", "192.168.1.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::",
                        "fd00:ec2::254", "fe80::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                        "64:ff9b::a9fe:a9fe", "::127.0.0.1"}) {
    INFO(a);
    CHECK_FALSE(p.address_allowed(a));
  }
  for (const char* a : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"}) {
    INFO(a);
    CHECK(p.address_allowed(a));
  }
  CHECK_FALSE(p.address_allowed("not-an-address"));
  CHECK_FALSE(p.host_allowed("localhost"));
}

TEST_CASE("allow lists take hosts, wildcards, addresses and CIDRs", "[client][policy]") {
  OutboundPolicy p;
  REQUIRE(p.allow_list(" 127.0.0.1, 10.0.0.0/8 ,api.internal,*.corp.example, fd00::/8,").ok());
  CHECK(p.address_allowed("127.0.0.1"));
  CHECK_FALSE(p.address_allowed("127.0.0.2"));
  CHECK(p.address_allowed("10.200.3.4"));
  CHECK(p.address_allowed("fd12::1"));
  CHECK_FALSE(p.address_allowed("192.168.0.1"));
  CHECK(p.host_allowed("api.internal"));
  CHECK(p.host_allowed("API.Internal"));
  CHECK(p.host_allowed("crm.corp.example"));
  CHECK_FALSE(p.host_allowed("corp.example"));
  CHECK_FALSE(p.host_allowed("evilcorp.example"));

  OutboundPolicy q;
  CHECK_FALSE(q.allow("10.0.0.0/33").ok());
  CHECK_FALSE(q.allow("host with space").ok());
  CHECK_FALSE(q.allow("").ok());
  CHECK(OutboundPolicy::allow_all().address_allowed("127.0.0.1"));
}

TEST_CASE("check resolves, refuses internal targets and pins what it checked", "[client][policy]") {
  IoPool pool(1);
  pool.start();

  auto refused = check(OutboundPolicy(), pool, "http://127.0.0.1:8080/x");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == StatusCode::permission_denied);
  CHECK(refused.status().message().find("FAMULOR_ALLOW_HOSTS") != std::string::npos);

  auto by_name = check(OutboundPolicy(), pool, "http://localhost:8080/x");
  REQUIRE_FALSE(by_name.ok());
  CHECK(by_name.status().code() == StatusCode::permission_denied);
  CHECK(by_name.status().message().find("resolves to") != std::string::npos);

  CHECK(check(OutboundPolicy(), pool, "ftp://example.com/").status().code() == StatusCode::invalid_argument);
  CHECK(check(OutboundPolicy(), pool, "not a url").status().code() == StatusCode::invalid_argument);
  CHECK_FALSE(check(OutboundPolicy(), pool, "http://[::1]:80/").ok());

  OutboundPolicy loopback;
  REQUIRE(loopback.allow_list("127.0.0.0/8,::1").ok());
  auto pinned = check(loopback, pool, "http://localhost:8080/x");
  REQUIRE(pinned.ok());
  REQUIRE(pinned->resolve.size() == 1);
  CHECK(pinned->resolve[0].rfind("localhost:8080:", 0) == 0);
  CHECK_FALSE(pinned->follow_redirects);

  OutboundPolicy named;
  REQUIRE(named.allow("localhost").ok());
  auto ok = check(named, pool, "http://localhost:8080/x");
  REQUIRE(ok.ok());
  CHECK(ok->resolve.empty());
}

TEST_CASE("send_checked reaches an allowed loopback server and nothing else", "[client][policy]") {
  famulor::test::LoopbackServer server(famulor::test::always({200, {}, "{}"}));
  IoPool pool(2);
  pool.start();
  famulor::net::HttpClient client(pool);
  auto send = [&](const OutboundPolicy& policy) {
    HttpClientRequest req;
    req.url = server.url("/hook");
    std::promise<famulor::Result<famulor::net::HttpClientResponse>> p;
    auto f = p.get_future();
    famulor::net::send_checked(client, pool, policy, req, [&p](auto r) { p.set_value(std::move(r)); });
    return f.get();
  };
  auto denied = send(OutboundPolicy());
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.status().code() == StatusCode::permission_denied);
  CHECK(server.requests() == 0);

  OutboundPolicy allowed;
  REQUIRE(allowed.allow("127.0.0.1").ok());
  auto res = send(allowed);
  REQUIRE(res.ok());
  CHECK(res->status == 200);
  CHECK(server.requests() == 1);
}

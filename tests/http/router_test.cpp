// Router: patterns, parameters, specificity, 404 and 405 — directly and through a
// server.
#include <catch2/catch.hpp>

#include "common/io_pool.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "support/raw_http_client.hpp"

using namespace famulor::http;

namespace {

HttpRequest request(std::string method, std::string target) {
  HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  std::string raw = r.target.substr(0, r.target.find('?'));
  REQUIRE(percent_decode(raw, r.path));
  return r;
}

// Dispatches synchronously and returns the answer.
HttpResponse call(const Router& router, std::string method, std::string target) {
  HttpResponse out;
  bool answered = false;
  router.dispatch(request(std::move(method), std::move(target)), Responder([&](HttpResponse r) {
                    out = std::move(r);
                    answered = true;
                  }));
  REQUIRE(answered);
  return out;
}

// A handler answering "name k=v k=v".
Handler named(std::string name) {
  return [name](HttpRequest req, Responder r) {
    std::string s = name;
    for (const auto& [k, v] : req.route_params) s += " " + k + "=" + v;
    r.send(HttpResponse::text(200, s));
  };
}

}  // namespace

TEST_CASE("router: literal, {param} and {rest...} routes", "[http]") {
  Router router;
  REQUIRE(router.add("GET", "/v1/runs", named("list")).ok());
  REQUIRE(router.add("GET", "/v1/runs/{id}", named("show")).ok());
  REQUIRE(router.add("POST", "/v1/runs/{id}/retry", named("retry")).ok());
  REQUIRE(router.add("POST", "/v1/hooks/{path...}", named("hook")).ok());
  REQUIRE(router.add("GET", "/v1/runs/latest", named("latest")).ok());
  REQUIRE(router.add("GET", "/", named("root")).ok());

  CHECK(call(router, "GET", "/v1/runs").body == "list");
  CHECK(call(router, "GET", "/v1/runs?limit=3").body == "list");
  CHECK(call(router, "GET", "/v1/runs/r-17").body == "show id=r-17");
  CHECK(call(router, "GET", "/v1/runs/latest").body == "latest");  // literal beats {id}
  CHECK(call(router, "GET", "/v1/runs/a%2Fb").body == "show id=a/b");  // encoded slash stays inside
  CHECK(call(router, "POST", "/v1/runs/r1/retry").body == "retry id=r1");
  CHECK(call(router, "POST", "/v1/hooks/crm/new%20lead").body == "hook path=crm/new lead");
  CHECK(call(router, "GET", "/").body == "root");
  CHECK(call(router, "HEAD", "/v1/runs/x").body == "show id=x");  // HEAD uses GET

  auto nf = call(router, "GET", "/v1/nothing");
  CHECK(nf.status == 404);
  CHECK(nf.body.find(R"({"error":{"code":"not_found")") == 0);
  CHECK(call(router, "POST", "/v1/hooks/").status == 404);  // {rest...} needs one segment
  CHECK(call(router, "GET", "/v1/runs/").status == 404);    // {id} needs a non-empty segment
  // Each segment is decoded once and matched by every route; the rest re-joins
  // the decoded segments (a bad escape never gets here: the parser answers 400).
  CHECK(call(router, "POST", "/v1/hooks/a%2Fb/c/%7Bd%7D").body == "hook path=a/b/c/{d}");
  CHECK(call(router, "POST", "/v1/hooks/x/").body == "hook path=x/");
  CHECK(call(router, "GET", "/v1/%72uns/latest").body == "latest");  // an escaped literal still matches

  auto na = call(router, "DELETE", "/v1/runs/r1");
  CHECK(na.status == 405);
  CHECK(na.headers.get("Allow") == "GET");
  CHECK(na.body.find(R"({"error":{"code":"method_not_allowed")") == 0);
  auto na2 = call(router, "GET", "/v1/runs/r1/retry");
  CHECK(na2.status == 405);
  CHECK(na2.headers.get("Allow") == "POST");
}

TEST_CASE("router: malformed patterns and duplicates are refused", "[http]") {
  Router router;
  CHECK(router.add("GET", "no-slash", named("x")).code() == famulor::StatusCode::invalid_argument);
  CHECK(router.add("GET", "/a/{}", named("x")).code() == famulor::StatusCode::invalid_argument);
  CHECK(router.add("GET", "/a/{open", named("x")).code() == famulor::StatusCode::invalid_argument);
  CHECK(router.add("GET", "/a/{rest...}/b", named("x")).code() == famulor::StatusCode::invalid_argument);
  CHECK(router.add("GET", "/a/{id}/{id}", named("x")).code() == famulor::StatusCode::invalid_argument);
  CHECK(router.add("GET", "/a/x{id}", named("x")).code() == famulor::StatusCode::invalid_argument);
  REQUIRE(router.add("GET", "/a/{id}", named("x")).ok());
  CHECK(router.add("GET", "/a/{id}", named("y")).code() == famulor::StatusCode::already_exists);
  CHECK(router.add("PUT", "/a/{id}", named("y")).ok());
}

TEST_CASE("router: serving through HttpServer", "[http]") {
  Router router;
  REQUIRE(router.add("GET", "/v1/workflows/{id}", named("wf")).ok());
  famulor::detail::IoPool pool(1);
  pool.start();
  {
    HttpServer server(pool, ServerOptions{}, router.handler());
    REQUIRE(server.start().ok());
    auto ok = famulor::test::roundtrip(server.port(), "GET /v1/workflows/w1 HTTP/1.1\r\nHost: t\r\n\r\n");
    REQUIRE(ok);
    CHECK(ok->body == "wf id=w1");
    auto missing = famulor::test::roundtrip(server.port(), "GET /v2 HTTP/1.1\r\nHost: t\r\n\r\n");
    REQUIRE(missing);
    CHECK(missing->status == 404);
    auto wrong = famulor::test::roundtrip(server.port(), "PUT /v1/workflows/w1 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    REQUIRE(wrong);
    CHECK(wrong->status == 405);
    CHECK(wrong->header("Allow") == "GET");
  }
  pool.stop();
}

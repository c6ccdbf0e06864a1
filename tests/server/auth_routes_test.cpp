// Every management route × every role: 401 without or with an unknown token, 403
// below the route's role, and through to the handler at or above it.
#include <catch2/catch.hpp>

#include "server_fixture.hpp"

using famulor::test::ServerFixture;

namespace {

struct RouteCase {
  const char* method;
  const char* target;
  const char* body;
  int need;        // 1 viewer, 2 operator, 3 admin
  int allowed_as;  // the status once allowed
};

const RouteCase kRoutes[] = {
    {"GET", "/v1/runs", "", 1, 200},
    {"GET", "/v1/runs/nope", "", 1, 404},
    {"POST", "/v1/runs/nope/retry", "", 2, 404},
    {"POST", "/v1/runs/nope/cancel", "", 2, 404},
    {"GET", "/v1/workflows", "", 1, 200},
    {"GET", "/v1/workflows/nope", "", 1, 404},
    {"PUT", "/v1/workflows/w", R"({"id":"w"})", 3, 422},
    {"DELETE", "/v1/workflows/nope", "", 3, 404},
    {"GET", "/v1/connectors", "", 1, 200},
    {"GET", "/v1/tokens", "", 3, 200},
    {"POST", "/v1/tokens", R"({"role":"emperor"})", 3, 400},
    {"DELETE", "/v1/tokens/nope", "", 3, 404},
};

}  // namespace

TEST_CASE("management routes: role x route allow/deny", "[server][auth]") {
  ServerFixture f;
  const std::string roles[] = {"viewer", "operator", "admin"};
  std::string tok[3];
  for (int i = 0; i < 3; ++i) tok[i] = f.token(roles[i]);

  for (const auto& rc : kRoutes) {
    INFO(rc.method << " " << rc.target);
    auto none = f.send(rc.method, rc.target, rc.body);
    CHECK(none.status == 401);
    CHECK(ServerFixture::json(none)["error"]["code"].as_string() == "unauthenticated");
    auto bogus = f.send(rc.method, rc.target, rc.body, {{"Authorization", "Bearer fam_not_a_token"}});
    CHECK(bogus.status == 401);
    for (int i = 0; i < 3; ++i) {
      INFO("role " << roles[i]);
      auto r = f.send(rc.method, rc.target, rc.body, {{"Authorization", "Bearer " + tok[i]}});
      if (i + 1 < rc.need) {
        CHECK(r.status == 403);
        CHECK(ServerFixture::json(r)["error"]["code"].as_string() == "forbidden");
      } else {
        CHECK(r.status == rc.allowed_as);
      }
    }
  }
}

TEST_CASE("health needs no token", "[server]") {
  ServerFixture f;
  auto r = f.send("GET", "/v1/health");
  REQUIRE(r.status == 200);
  auto v = ServerFixture::json(r);
  CHECK(v["status"].as_string() == "ok");
  CHECK(v["version"].is_string());
}

TEST_CASE("tokens written by another connection are seen at once, revoked ones are refused", "[server][auth]") {
  ServerFixture f;
  std::string t = f.token("viewer");  // through a second connection, after start
  CHECK(f.send("GET", "/v1/runs", "", {{"Authorization", "Bearer " + t}}).status == 200);
  CHECK(f.send("GET", "/v1/runs", "", {{"Authorization", "bearer " + t}}).status == 200);
  CHECK(f.send("GET", "/v1/runs", "", {{"Authorization", "Basic " + t}}).status == 401);
  auto list = f.tokens->list();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK(list->front().hash != t);  // only the hash is stored
  REQUIRE(f.tokens->revoke(list->front().id).ok());
  CHECK(f.send("GET", "/v1/runs", "", {{"Authorization", "Bearer " + t}}).status == 401);
}

TEST_CASE("admin manages tokens over the API", "[server][auth]") {
  ServerFixture f;
  std::string admin = f.token("admin");
  auto made = f.send("POST", "/v1/tokens", R"({"role":"viewer","name":"dash"})", {{"Authorization", "Bearer " + admin}});
  REQUIRE(made.status == 201);
  auto v = ServerFixture::json(made);
  std::string viewer = v["token"].as_string();
  CHECK(f.send("GET", "/v1/workflows", "", {{"Authorization", "Bearer " + viewer}}).status == 200);
  auto listed = f.send("GET", "/v1/tokens", "", {{"Authorization", "Bearer " + admin}});
  CHECK(listed.body.find(viewer) == std::string::npos);  // never the token itself
  CHECK(listed.body.find("dash") != std::string::npos);
  CHECK(f.send("DELETE", "/v1/tokens/" + v["id"].as_string(), "", {{"Authorization", "Bearer " + admin}}).status == 204);
  CHECK(f.send("GET", "/v1/workflows", "", {{"Authorization", "Bearer " + viewer}}).status == 401);
}
